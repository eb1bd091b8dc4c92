import Foundation
import PodformCatalog
import XCTest

/// Files podform reads on the user's word are size-checked before a byte is read.
final class BoundedFileTests: XCTestCase {
    func testReadsSmallFilesAndRefusesLargeOnesAndDevices() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let small = dir.appendingPathComponent("small.json")
        try Data("{\"a\":1}".utf8).write(to: small)
        XCTAssertEqual(try BoundedFile.read(small.path, limit: 7), Data("{\"a\":1}".utf8))  // exactly the limit
        XCTAssertThrowsError(try BoundedFile.read(small.path, limit: 6)) {
            XCTAssertEqual($0 as? BoundedFile.Failure, .tooLarge(small.path, size: 7, limit: 6))
        }
        XCTAssertThrowsError(try BoundedFile.read("/dev/zero", limit: 10)) {
            XCTAssertEqual($0 as? BoundedFile.Failure, .notRegular("/dev/zero"))
        }
        XCTAssertThrowsError(try BoundedFile.read(dir.path, limit: 10)) {
            XCTAssertEqual($0 as? BoundedFile.Failure, .notRegular(dir.path))
        }
        let none = dir.appendingPathComponent("none").path
        XCTAssertThrowsError(try BoundedFile.read(none, limit: 10)) { XCTAssertEqual($0 as? BoundedFile.Failure, .missing(none)) }
        XCTAssertNil(try BoundedFile.readIfPresent(none, limit: 10))
        XCTAssertEqual(
            BoundedFile.Failure.tooLarge("/x", size: 5_368_709_120, limit: 16_777_216).description,
            "`/x` is 5368709120 bytes, over the limit of 16777216 bytes; is this the right file?")
    }
}
