import Foundation
import PodformApply
import PodformCompiler
import PodformTestSupport
import RunPodAPI
import XCTest

/// Every REST v2 body a plan carries is valid against RunPod's OpenAPI document.
final class RequestBodyTests: XCTestCase {
    static let schemas = [
        "network_volume": "CreateNetworkVolumeRequest", "template": "CreateTemplateRequest",
        "endpoint": "CreateEndpointRequest", "pod": "CreatePodRequest", "cluster": "CreateClusterRequest"
    ]

    /// Replaces `${kind.name.id}` references with a plausible id, as apply will.
    func resolved(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s) where s.hasPrefix("${"): return .string("ref000001")
        case .array(let items): return .array(items.map(resolved))
        case .object(let o): return .object(o.mapValues(resolved))
        default: return value
        }
    }

    func testEveryPlannedRequestMatchesTheOpenAPISchemas() throws {
        let validator = try OpenAPIValidator.bundled()
        var checked = 0
        var specs = try Fixtures.exampleFiles().map { try String(contentsOf: $0, encoding: .utf8) }
        specs += OptimalityTests.generateSpecs(count: 60, seed: 7)
        for text in specs {
            guard case .success(let d)? = Fixtures.compile(text) else { continue }
            for resource in RunPodResources.requests(for: d) {
                let schema = try XCTUnwrap(Self.schemas[resource.kind.rawValue])
                let data = try JSONEncoder().encode(resolved(resource.body))
                let object = try JSONSerialization.jsonObject(with: data)
                XCTAssertEqual(validator.validate(object, schema: schema), [], "\(d.name) \(resource.kind)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }
}
