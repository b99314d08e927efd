import SpotterCore

/// The JSON values the command-line contracts print: ``JSONValue`` with ordered keys.
public typealias JSON = JSONValue
