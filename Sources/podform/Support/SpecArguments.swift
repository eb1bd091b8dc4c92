import ArgumentParser
import Foundation
import PodformApply
import PodformCompiler
import PodformCore
import PodformKit

/// Spec arguments as `plan`, `apply` and `destroy` take them: files, and directories whose every
/// `.yaml`/`.yml` is a spec (and whose removed specs' deployments are destroyed).
struct SpecArguments {
    var files: [String]
    var directories: [String]

    static func expand(_ arguments: [String]) throws -> SpecArguments {
        var files: [String] = [], directories: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
                do {
                    let found = try SpecDirectory.files(argument)
                    if found.isEmpty {
                        Output.err("error: \(argument) holds no .yaml or .yml specs\n")
                        throw ExitCode(1)
                    }
                    files += found
                    directories.append(argument)
                } catch let error as ExitCode {
                    throw error
                } catch {
                    Output.err("error: \(argument): \(error.localizedDescription)\n")
                    throw ExitCode(1)
                }
            } else {
                files.append(argument)
            }
        }
        var seen = Set<String>()
        return SpecArguments(files: files.filter { seen.insert($0).inserted }, directories: directories)
    }

    /// The destroys for deployments recorded under a directory's scope (or `--scope`) whose spec
    /// is no longer among the planned ones: what a PR that deletes a spec file takes away.
    func removedSets(live: LiveState, deployments: [Deployment], explicitScope: Scope?, allowDestroyVolumes: Bool) -> [RemovedDeployment] {
        guard !directories.isEmpty else { return [] }
        var present = Set(deployments.map(\.name))
        for file in files {
            if let text = SpecFiles.read(file).text, let name = PodformCore.Spec.declaredName(path: file, text: text) { present.insert(name) }
        }
        var sets: [RemovedDeployment] = []
        var seen = Set<String>()
        for directory in directories {
            let context = PruneContext(scope: explicitScope ?? Scope.directory(directory), selector: LabelSelector(), presentSpecs: present)
            for marks in live.ownerMarks() where context.verdict(marks).deletes && seen.insert(marks.spec + "\u{0}" + (marks.scope ?? "")).inserted {
                let set = destroyChanges(
                    spec: marks.spec, live: live, allowDestroyVolumes: allowDestroyVolumes, scope: marks.scope, adoptUnscoped: false)
                if set.hasChanges || !set.notes.isEmpty {
                    var noted = set
                    noted.notes.insert("its spec is no longer in \(directory): its deployment is destroyed", at: 0)
                    sets.append(RemovedDeployment(scope: marks.scope, changes: noted))
                }
            }
        }
        return sets
    }
}

/// `--scope` for the commands that create, diff or delete.
/// `--spend-limit`: the RunPod account's spend limit per hour (`SpendLimit`; RunPod's default is $80/hour).
struct SpendLimitOption: ParsableArguments {
    @Option(
        name: .customLong("spend-limit"),
        help:
            "The account's RunPod spend limit per hour, e.g. 200 or '200 USD/hour' (default: the specs' constraints.account_spend_limit, else RunPod's $80/hour)."
    )
    var spendLimit: String?

    func validate() throws {
        if let spendLimit, (Units.usdPerHour(spendLimit) ?? 0) <= 0 {
            throw ValidationError("--spend-limit must be a positive amount per hour, e.g. 200 or '200 USD/hour' (found \"\(spendLimit.prefix(40))\")")
        }
    }

    var usdPerHour: Double? { spendLimit.flatMap(Units.usdPerHour) }
}

struct ScopeOption: ParsableArguments {
    @Option(
        help:
            "The scope recorded on what this run creates and the only one it touches (default: each spec's directory, repository-relative; see Specs/state.md)."
    )
    var scope: String?

    func validate() throws {
        if let scope { do { _ = try Scope.named(scope) } catch { throw ValidationError("\(error)") } }
    }

    var explicit: Scope? { scope.flatMap { try? Scope.named($0) } }

    /// The scope a spec file is applied from.
    func of(file: String) -> Scope {
        if let explicit { return explicit }
        let dir = (file as NSString).deletingLastPathComponent
        return Scope.directory(dir.isEmpty ? "." : dir)
    }
}
