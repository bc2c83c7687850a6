import ComptoirContracts
import ComptoirKit
import ComptoirPlatform
import Foundation
import Testing

/// The calls each service declares in code (`ComptoirService.calls`, which its internal client
/// enforces) are the calls the deployment's network policies admit (`deploy/k8s/edges.yaml`,
/// against which scripts/k8s-check checks the rendered policies).
@Suite struct DeclaredEdgesTests {
    /// The `calls:` block of edges.yaml: `  caller: [callee, …]` lines.
    static func deployedCalls() throws -> [String: Set<String>] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy/k8s/edges.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        var calls: [String: Set<String>] = [:]
        var inBlock = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("calls:") {
                inBlock = true
            } else if inBlock, line.hasPrefix("  "), let colon = line.firstIndex(of: ":") {
                let caller = line[..<colon].trimmingCharacters(in: .whitespaces)
                let list = line[line.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " []"))
                calls[caller] = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            } else if inBlock, !line.hasPrefix("#"), !line.isEmpty {
                inBlock = false
            }
        }
        return calls
    }

    @Test func theCodeAndTheNetworkPoliciesAgreeOnEveryCall() throws {
        var declared = Dictionary(uniqueKeysWithValues: ServiceCatalog.entries.map { ($0.id.rawValue, Set($0.type.calls.map(\.rawValue))) })
        declared["gateway"] = Set(ServiceCatalog.ids.map(\.rawValue))
        let deployed = try Self.deployedCalls()
        #expect(!deployed.isEmpty, "edges.yaml has a calls: block")
        #expect(
            declared == deployed,
            "declared in code: \(declared.sorted { $0.key < $1.key }); in edges.yaml: \(deployed.sorted { $0.key < $1.key })"
        )
    }
}
