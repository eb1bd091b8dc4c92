/// The names podform gives a spec's RunPod resources (`Specs/state.md`, "Names and markers"):
/// the mapping names what it creates with them, and ownership recognizes what it finds by them.
public struct ResourceNames: Sendable, Hashable {
    public var spec: String

    public init(spec: String) { self.spec = spec }

    /// `podform-<spec>`: the template, the endpoint, and a single pod.
    public var base: String { "podform-\(spec)" }
    public var template: String { base }
    public var endpoint: String { base }
    /// `podform-<spec>`: an Instant Cluster (its member pods are named by RunPod).
    public var cluster: String { base }
    /// `podform-<spec>-weights`.
    public var networkVolume: String { "\(base)-weights" }

    /// `podform-<spec>` for one pod, `podform-<spec>-1` ... `-<n>` for replicas.
    public func pods(_ count: Int) -> [String] {
        count == 1 ? [base] : (0..<max(count, 0)).map { "\(base)-\($0 + 1)" }
    }

    /// A name one of this spec's pods may have: `podform-<spec>` or `podform-<spec>-<n>`.
    public func isPodName(_ name: String) -> Bool {
        guard name != base else { return true }
        guard name.hasPrefix(base + "-") else { return false }
        let suffix = name.dropFirst(base.count + 1)
        return !suffix.isEmpty && suffix.allSatisfy(\.isNumber)
    }
}
