import Foundation
import Hummingbird
import NIOCore

/// Serves the citizen's screen: a handful of static files from one folder, read at start.
/// Only names in the folder itself are served (no sub-paths, no dot files), so a request can
/// never reach anything else on the disk.
enum ScreenFiles {
    static let types = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "woff2": "font/woff2", "json": "application/json; charset=utf-8",
    ]

    static func add(to routes: Routes, folder: String) {
        let files = load(folder)
        routes.get("/") { _, _ -> Response in
            guard let index = files["index.html"] else {
                return JSONResponse.error(.notFound, code: "no-screen", message: "the screen's files are missing from \(folder)")
            }
            return response(index, type: types["html"]!)
        }
        routes.get("/screen/:file") { _, context -> Response in
            let name = context.parameters.get("file") ?? ""
            guard let bytes = files[name], let ext = name.split(separator: ".").last, let type = types[String(ext)] else {
                return JSONResponse.error(.notFound, code: "not-found", message: "no such file")
            }
            return response(bytes, type: type)
        }
    }

    static func load(_ folder: String) -> [String: [UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var files: [String: [UInt8]] = [:]
        for name in names where !name.hasPrefix(".") {
            guard let ext = name.split(separator: ".").last, types[String(ext)] != nil,
                let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name))
            else { continue }
            files[name] = Array(data)
        }
        return files
    }

    static func response(_ bytes: [UInt8], type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
