import Foundation
import XCTest

@testable import RunPodAPI

/// Create requests encode as RunPod's wire format, and as a `JSONValue` with the same types.
final class CreateRequestTests: XCTestCase {
    func testScalingEncodesItsTypeAndAWholeDelayStaysANumber() throws {
        XCTAssertEqual(try JSONValue(encoding: EndpointScaling.queueDelay(4)), ["type": "QUEUE_DELAY", "queueDelay": .number(4)])
        XCTAssertEqual(try JSONValue(encoding: EndpointScaling.requestCount(8)), ["type": "REQUEST_COUNT", "requestCount": .int(8)])
        let decoded = try JSONDecoder().decode(EndpointScaling.self, from: Data(#"{"type":"QUEUE_DELAY","queueDelay":4}"#.utf8))
        XCTAssertEqual(decoded, .queueDelay(4))
    }

    func testOptionalFieldsAreLeftOutAndTheBytesMatchTheValue() throws {
        let pod = CreatePodRequest(name: "p", cloud: "SECURE", templateId: "${template.t.id}", env: ["A": "1"],
                                   gpu: CreateGpuConfig(id: "NVIDIA L40S", count: 1), disk: 30, ports: ["8000/http"],
                                   mounts: Mounts(persistent: Mounts.Persistent(size: 40, path: "/root")), dataCenterIds: nil)
        let value = try JSONValue(encoding: pod)
        XCTAssertNil(value["dataCenterIds"])
        XCTAssertNil(value["mounts"]?["network"])
        XCTAssertEqual(value["mounts"]?["persistent"]?["size"], .int(40))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(try encoder.encode(pod), try encoder.encode(value))
    }
}
