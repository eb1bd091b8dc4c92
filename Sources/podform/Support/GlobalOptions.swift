import ArgumentParser
import Foundation
import Logging

/// Flags every RunPod-facing command shares.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Log each API request (method, path, status, time; never keys or bodies).") var verbose = false
    @Flag(name: .shortAndLong, help: "Print only results and errors.") var quiet = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("--verbose and --quiet exclude each other") }
    }

    /// Configures swift-log for this process: stderr, debug with --verbose, errors only with --quiet.
    func bootstrap() {
        let level: Logger.Level = verbose ? .debug : quiet ? .error : .notice
        LoggingBootstrapOnce.run(level)
    }

    /// The request logger for the RunPod client.
    var logger: Logger {
        var logger = Logger(label: "podform.runpod")
        logger.logLevel = verbose ? .debug : quiet ? .error : .notice
        return logger
    }
}

enum LoggingBootstrapOnce {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()
    static func run(_ level: Logger.Level) {
        lock.lock(); defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
