import ArgumentParser
import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiStore

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit disclosure items (one JSON object, an array, or JSON Lines) from a file or stdin.",
        discussion: "All or nothing: if any item is rejected, nothing is stored.\n" + ExitStatus.helpText)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "File to read, or - for standard input.") var file: String = "-"
    @Flag(help: "Validate only; store nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            let settings = try global.settings()
            let bytes = try InputFile.read(file)
            try await OutboxConsole.with(settings) { console in
                let outcomes = try await console.submit(bytes, dryRun: dryRun)
                if json {
                    printJSON(outcomes)
                } else if dryRun {
                    print("valid: \(outcomes.count) item(s); nothing stored (--dry-run)")
                } else {
                    for outcome in outcomes {
                        print("\(outcome.itemID)  v\(outcome.version)  \(outcome.change.rawValue)")
                    }
                }
            }
        }
    }
}

/// Reads a command's input file (or stdin for "-"), bounded so a huge input cannot exhaust memory.
enum InputFile {
    static let maxBytes = 16 << 20

    static func read(_ path: String) throws -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw GongkaiErrorFactory.unreadable(path)
            }
            handle = opened
        }
        var bytes: [UInt8] = []
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            bytes.append(contentsOf: chunk)
            if bytes.count > maxBytes { throw GongkaiErrorFactory.oversized(maxBytes) }
        }
        return bytes
    }
}
