import FlowJSON
import Foundation
import JSONata
import Testing

/// Throughput of the record workload flow runs (a filter and three computed fields).
/// Opt-in: `JSONATA_BENCH=1000000 swift test -c release --filter PerformanceTests`.
struct PerformanceTests {
    static func record(_ i: Int) -> JSON {
        var o = JSONObject()
        o["id"] = .int(i)
        o["title"] = .string("Product \(i) essence mascara")
        o["description"] = "A nice product"
        o["category"] = "beauty"
        o["price"] = .double(Double((i * 7919) % 200_000) / 100 + 1)
        o["discountPercentage"] = .double(Double((i * 104_729) % 3000) / 100)
        o["rating"] = 4.5
        o["stock"] = .int((i * 31) % 101)
        o["tags"] = ["beauty", "mascara"]
        o["brand"] = "Essence"
        o["sku"] = "RCH45Q1A"
        o["weight"] = 2
        o["dimensions"] = ["width": 23.17, "height": 14.43, "depth": 28.01]
        o["availabilityStatus"] = i % 3 == 0 ? "Low Stock" : "In Stock"
        return .object(o)
    }

    /// CPU time of the calling thread: steadier than wall time on a shared machine.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    @Test func recordWorkload() throws {
        let n = Int(ProcessInfo.processInfo.environment["JSONATA_BENCH"] ?? "") ?? 2_000
        let filter = try JSONataExpression(#"stock > 0 and availabilityStatus = "In Stock""#)
        let fields = try [
            JSONataExpression("$round(price * (1 - discountPercentage/100), 2)"),
            JSONataExpression("$uppercase(title)"),
            JSONataExpression(#"stock > 0 and availabilityStatus = "In Stock""#),
        ]
        let records = (0..<min(n, 100_000)).map(Self.record)
        let env = JSONataEnvironment.empty
        var kept = 0
        let cpuStart = Self.threadCPUSeconds()
        let start = ContinuousClock.now
        for i in 0..<n {
            let r = records[i % records.count]
            guard try filter.evaluate(r, environment: env) == .bool(true) else { continue }
            kept += 1
            for f in fields { _ = try f.evaluate(r, environment: env) }
        }
        let elapsed = ContinuousClock.now - start
        let cpu = Self.threadCPUSeconds() - cpuStart
        let perRecord = Double(elapsed.components.attoseconds / 1_000_000_000_000 + elapsed.components.seconds * 1_000_000) / Double(n)
        print(
            "JSONata record workload: \(n) records, \(kept) kept, \(elapsed) wall, "
                + "\(String(format: "%.2f", perRecord)) µs/record wall, \(String(format: "%.2f", cpu * 1e6 / Double(n))) µs/record CPU")
        #expect(kept > 0)
        let sample = try fields[0].evaluate(Self.record(1), environment: env)
        #expect(sample != nil)
    }
}
