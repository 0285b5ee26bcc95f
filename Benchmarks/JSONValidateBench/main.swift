// Validation throughput of FlowJSON's scanner on whole pages (the products benchmark's), in GB/s:
// in place (what `JSONDocuments(adopting:)` does with a compact page), copying into a reused
// buffer, and `append(validating:)` into fresh documents (a new buffer per page, as before).
//
//   json-validate-bench [PAGES_DIR] [PAGES] [ROUNDS]
import FlowJSON

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
let directory = arguments.count > 1 ? arguments[1] : "/tmp/flow-bench/products-1000000/pages"
let count = arguments.count > 2 ? Int(arguments[2])! : 100
let rounds = arguments.count > 3 ? Int(arguments[3])! : 5

func read(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

let pages = (1...count).map { read(directory + "/page-" + String(repeating: "0", count: max(0, 4 - String($0).count)) + String($0) + ".json") }
let total = pages.reduce(0) { $0 + $1.count }

func seconds(_ body: () -> Void) -> Double {
    var start = timespec()
    var end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
}

var output = [UInt8](repeating: 0, count: pages.map(\.count).max()!)
var sink = 0
let modes: [(String, () -> Void)] = [
    ("in place", {
        for page in pages {
            page.withUnsafeBufferPointer { b in
                var scanner = JSONScanner(validatingInPlace: b)
                precondition(scanner.validateDocument())
                sink &+= scanner.written
            }
        }
    }),
    ("copying", {
        for page in pages {
            page.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { out in
                    var scanner = JSONScanner(b, output: out.baseAddress!)
                    precondition(scanner.validateDocument())
                    sink &+= scanner.written
                }
            }
        }
    }),
    ("append(validating:)", {
        for page in pages {
            var documents = JSONDocuments()
            page.withUnsafeBytes { try! documents.append(validating: $0) }
            sink &+= documents.bytes.count
        }
    }),
]
print("\(count) pages, \(total) bytes, \(rounds) rounds (interleaved); GB/s median (best)")
var times = Array(repeating: [Double](), count: modes.count)
for _ in 0..<rounds {
    for (k, mode) in modes.enumerated() { times[k].append(seconds(mode.1)) }
}
for (k, mode) in modes.enumerated() {
    let sorted = times[k].sorted()
    func gbs(_ t: Double) -> Double { (Double(total) / t / 1e7).rounded() / 100 }
    print("\(mode.0): \(gbs(sorted[sorted.count / 2])) (\(gbs(sorted[0])))")
}
if sink == 42 { print("") }
