import Foundation
import ScribeCore
import ScribeCrypto
import ScribeNet
import Testing

/// HTTPClient against a real HTTP server on this machine (Python's ThreadingHTTPServer, as the webhook receiver
/// of the end-to-end tests): many requests at once, each on its own thread and handle, every one answered and
/// every body arriving whole.
@Suite struct HTTPClientTests {
    /// Answers each POST with the SHA-256 of the body it read (HTTP/1.0: one request per connection), and
    /// `GET /count` with how many POSTs it answered.
    static let server = """
        import hashlib, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        count = 0
        lock = threading.Lock()
        class Handler(BaseHTTPRequestHandler):
            def answer(self, text):
                data = text.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_POST(self):
                global count
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    count += 1
                self.answer(hashlib.sha256(body).hexdigest())
            def do_GET(self):
                with lock:
                    self.answer(str(count))
            def log_message(self, *args):
                pass
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()  # until the test closes it
        """

    /// The server, running until `stop`; its URL base.
    final class Receiver {
        let process = Process()
        let input = Pipe()
        let base: String

        init() throws {
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", HTTPClientTests.server]
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw CocoaError(
                    .fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no port from the server: \(line)"])
            }
            base = "http://127.0.0.1:\(port)"
        }

        func stop() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    /// What the server answers for a body: its SHA-256 in hex.
    static func digest(_ bytes: [UInt8]) -> String { Secrets.hex(Secrets.sha256(bytes)) }

    @Test func manyRequestsAtOnceAreAllAnsweredWithTheirWholeBody() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let client = HTTPClient(timeoutSeconds: 20, connectTimeoutSeconds: 10, allowPrivateNetworks: true)
        // Bodies of different sizes, each its own bytes, sent 8 at a time as the webhook sender does.
        let sends = 240
        let bodies = (0..<sends).map { i in
            Array("{\"n\":\(i),\"pad\":\"\(String(repeating: "x", count: (i * 97) % 3000))\"}".utf8)
        }
        let expected = bodies.map(Self.digest)
        #expect(Set(expected).count == sends)
        let failures = Locked([String]())
        let base = receiver.base
        for start in stride(from: 0, to: sends, by: 8) {
            DispatchQueue.concurrentPerform(iterations: min(8, sends - start)) { k in
                let i = start + k
                do {
                    let r = try client.send(
                        method: "POST", url: base + "/hook",
                        headers: [("Content-Type", "application/json")], body: bodies[i])
                    if r.status != 200 || r.text != expected[i] {
                        failures.withLock { $0.append("send \(i): HTTP \(r.status) \(r.text)") }
                    }
                } catch {
                    failures.withLock { $0.append("send \(i): \(error)") }
                }
            }
        }
        let failed = failures.withLock { $0 }
        #expect(failed.isEmpty, "\(failed.count) of \(sends) failed, the first: \(failed.prefix(3))")
        let count = try client.send(method: "GET", url: receiver.base + "/count")
        #expect(count.text == String(sends))
    }

    @Test func anEmptyBodyIsSentAsAnEmptyBody() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let client = HTTPClient(timeoutSeconds: 20, allowPrivateNetworks: true)
        let r = try client.send(method: "POST", url: receiver.base + "/hook", body: [])
        #expect(r.status == 200 && r.text == Self.digest([]))
    }
}
