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

    /// A body built from a Double and the same body read back from JSON (where `4.0` is `4`) are equal,
    /// so a saved plan's changes match the reviewed ones (a queue-delay endpoint broke this).
    func testAWholeNumberEqualsItsIntegerAfterARoundTrip() throws {
        let body = try JSONValue(encoding: EndpointScaling.queueDelay(4))
        let back = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(body))
        XCTAssertEqual(back["queueDelay"], .int(4))
        XCTAssertEqual(back, body)
        XCTAssertEqual(Set([back, body]).count, 1)
        XCTAssertNotEqual(JSONValue.number(4.5), .int(4))
        XCTAssertNotEqual(JSONValue.string("4"), .int(4))
    }

    func testOptionalFieldsAreLeftOutAndTheBytesMatchTheValue() throws {
        let pod = CreatePodRequest(
            name: "p", cloud: "SECURE", templateId: "${template.t.id}", env: ["A": "1"],
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
