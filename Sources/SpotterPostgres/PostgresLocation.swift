import Foundation
import NIOSSL
import PostgresNIO
import SpotterStore

/// Where a PostgreSQL store is and how to reach it:
/// `postgres://user[:password]@host[:port]/database[?parameters]`. The password comes from the
/// URL, else `PGPASSWORD`, else the file `password_file=PATH` names (its first line); it is never
/// logged or shown (``description`` leaves it out).
///
/// Parameters (libpq's names where libpq has one): `sslmode` (`disable`, `prefer`: the default,
/// `require`, `verify-ca`, `verify-full`), `sslrootcert=PATH` (the CA certificates to verify the
/// server with, else the system's), `connect_timeout=SECONDS` (5), `pool_size=N` (connections
/// one process keeps, 4), `password_file=PATH`.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode = .prefer
    public var rootCertificates: String?
    public var connectTimeout: Int = 5
    public var poolSize: Int = 4

    /// How the connection is encrypted, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never.
        case disable
        /// When the server offers it (not verified).
        case prefer
        /// Always, without checking the certificate.
        case require
        /// Always, with a certificate signed by a trusted CA (any host name).
        case verifyCA = "verify-ca"
        /// Always, with a trusted certificate for this host name.
        case verifyFull = "verify-full"
    }

    /// Whether `text` names a PostgreSQL store rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a URL; the error says which part is wrong.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        guard Self.isURL(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreError.cannotOpen(path: Self.redacted(text), detail: "not a PostgreSQL URL; write postgres://user@host:port/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError.cannotOpen(path: Self.redacted(text), detail: "the URL names no user; write postgres://user@host:port/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.cannotOpen(path: Self.redacted(text), detail: "the URL names no database; write postgres://user@host:port/database")
        }
        self.user = user
        self.host = host
        self.port = components.port ?? 5432
        self.database = database
        var password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        func bad(_ detail: String) -> StoreError { .cannotOpen(path: Self.redacted(text), detail: detail) }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "password_file":
                guard let text = try? String(contentsOfFile: value, encoding: .utf8) else {
                    throw bad("cannot read the password file \(value)")
                }
                password = password ?? String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw bad("sslmode=\(value) is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case "sslrootcert":
                guard FileManager.default.isReadableFile(atPath: value) else { throw bad("cannot read the CA certificates \(value) (sslrootcert)") }
                rootCertificates = value
            case "connect_timeout":
                guard let seconds = Int(value), (1...600).contains(seconds) else { throw bad("connect_timeout=\(value) is not 1 to 600 seconds") }
                connectTimeout = seconds
            case "pool_size":
                guard let size = Int(value), (1...100).contains(size) else { throw bad("pool_size=\(value) is not 1 to 100 connections") }
                poolSize = size
            default:
                throw bad("unknown URL parameter \(item.name)\(item.value.map { "=\($0)" } ?? ""); "
                    + "known: sslmode, sslrootcert, connect_timeout, pool_size, password_file")
            }
        }
        self.password = password ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL without its password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "postgres://…" }
        if components.password != nil { components.password = "***" }
        components.query = nil
        return components.string ?? "postgres://…"
    }

    /// The driver's settings; throws when the CA certificates cannot be loaded.
    func configuration() throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: try tlsSetting())
        configuration.options.connectTimeout = .seconds(Int64(connectTimeout))
        return configuration
    }

    func tlsSetting() throws -> PostgresConnection.Configuration.TLS {
        var client = TLSConfiguration.makeClientConfiguration()
        if let rootCertificates { client.trustRoots = .file(rootCertificates) }
        switch tls {
        case .disable: return .disable
        case .prefer, .require: client.certificateVerification = .none
        case .verifyCA: client.certificateVerification = .noHostnameVerification
        case .verifyFull: client.certificateVerification = .fullVerification
        }
        let context = try NIOSSLContext(configuration: client)
        return tls == .prefer ? .prefer(context) : .require(context)
    }
}
