import XCTest

@testable import PodformCore

final class UnitsTests: XCTestCase {
    func testTokenCountsUseTheLLMConventionForK() {
        XCTAssertEqual(Units.tokens("8192"), 8192)
        XCTAssertEqual(Units.tokens("8k"), 8192)
        XCTAssertEqual(Units.tokens("128K"), 131_072)
        XCTAssertEqual(Units.tokens("1M"), 1_048_576)
        XCTAssertEqual(Units.tokens("1.5k"), 1536)
        XCTAssertNil(Units.tokens("8 kb"))
        XCTAssertNil(Units.tokens("lots"))
        XCTAssertNil(Units.tokens("-5"))
        XCTAssertNil(Units.tokens("99999999999999999999"))
    }

    func testBytesDistinguishDecimalAndBinaryUnits() {
        XCTAssertEqual(Units.bytes("80GB"), 80_000_000_000)
        XCTAssertEqual(Units.bytes("80GiB"), 85_899_345_920)
        XCTAssertEqual(Units.bytes("500 MB"), 500_000_000)
        XCTAssertEqual(Units.bytes("1TiB"), 1_099_511_627_776)
        XCTAssertNil(Units.bytes("80"))
        XCTAssertNil(Units.bytes("80 gigs"))
    }

    func testDurations() {
        XCTAssertEqual(Units.seconds("500ms"), 0.5)
        XCTAssertEqual(Units.seconds("2s"), 2)
        XCTAssertEqual(Units.seconds("1.5s"), 1.5)
        XCTAssertEqual(Units.seconds("3m"), 180)
        XCTAssertEqual(Units.seconds("2h"), 7200)
        XCTAssertNil(Units.seconds("30"))
        XCTAssertNil(Units.seconds("soon"))
    }

    func testMoneyAndParameters() {
        XCTAssertEqual(Units.usd("2500 USD"), 2500)
        XCTAssertEqual(Units.usd("$2,500"), 2500)
        XCTAssertEqual(Units.usd("2500"), 2500)
        XCTAssertNil(Units.usd("2500 EUR"))
        XCTAssertEqual(Units.parameters("8.03B"), 8_030_000_000)
        XCTAssertEqual(Units.parameters("405M"), 405_000_000)
        XCTAssertEqual(Units.parameters("123456"), 123_456)
        XCTAssertNil(Units.parameters("big"))
    }
}
