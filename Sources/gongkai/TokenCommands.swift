import ArgumentParser
import Foundation
import GongkaiAudit
import GongkaiCore
import GongkaiService
import GongkaiStore

/// `gongkai token create|list|revoke`: the HTTP API's bearer tokens.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke the HTTP API's bearer tokens.",
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self])
}

struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token and print it once (only its hash is stored).",
        discussion: "Roles: submit (a system that sends items), operate (withdraw, approve, resend, pause), read (auditors).\n"
            + ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Who holds it, e.g. oa-system: the audit log names it for every change made with it.") var name: String
    @Option(help: "submit, operate or read.") var role: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            guard let role = APIRole(rawValue: role) else {
                throw GongkaiError(.invalidField, "role must be submit, operate or read", field: "role")
            }
            try await OutboxConsole.with(try global.settings()) { console in
                let (token, record) = try await TokenAuthority(outbox: console.store).create(
                    name: name, role: role, actor: console.actor)
                if json {
                    printJSON(["name": record.name, "role": record.role.rawValue, "id": record.id, "token": token])
                } else {
                    print(token)
                    FileHandle.standardError.write(
                        Data("token \(record.name) (\(record.role.rawValue)) created; it is shown only this once\n".utf8))
                }
            }
        }
    }
}

struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List tokens (names, roles, ids; never a token).", discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            try await OutboxConsole.with(try global.settings()) { console in
                let tokens = try await TokenAuthority(outbox: console.store).list()
                if json {
                    printJSON(tokens.map(MachineJSON.Token.init))
                } else {
                    var table = TextTable(["NAME", "ROLE", "ID", "CREATED", "REVOKED"])
                    for token in tokens {
                        table.add([
                            token.name, token.role.rawValue, token.id, Timestamp.iso8601(token.createdAt),
                            token.revokedAt.map(Timestamp.iso8601) ?? "-",
                        ])
                    }
                    print(tokens.isEmpty ? "(no tokens)" : table.render())
                }
            }
        }
    }
}

struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke the token of this name at once.", discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Option(help: "The token's name.") var name: String

    func run() async throws {
        try await reporting {
            try await OutboxConsole.with(try global.settings()) { console in
                try await TokenAuthority(outbox: console.store).revoke(name: name, actor: console.actor)
                print("token \(name) revoked")
            }
        }
    }
}
