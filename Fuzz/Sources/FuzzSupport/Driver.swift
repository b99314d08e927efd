import CLibFuzzer
import Foundation

/// Hands the process to libFuzzer with `test` as the target (`LLVMFuzzerTestOneInput`'s role);
/// the command line is libFuzzer's (`-max_total_time=60 corpus/`, a crash file to replay, …).
public func runFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}

/// libFuzzer may pass no pointer for an empty input.
public func input(_ data: UnsafePointer<UInt8>?) -> UnsafePointer<UInt8> {
    data ?? EmptyInput.pointer
}

private enum EmptyInput {
    nonisolated(unsafe) static let pointer = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
}
