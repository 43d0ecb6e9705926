// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "usage-exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "usage-exporter", targets: ["usage-exporter"]),
        .library(name: "UsageExporter", targets: ["UsageExporter"]),
        .library(name: "UsageExporterSimulator", targets: ["UsageExporterSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // zlib itself: gzip responses are assembled from deflate pieces compressed once per poll,
        // which needs sync-flushed raw deflate and crc32_combine (no Swift wrapper exposes the latter).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // libdeflate (Debian's libdeflate-dev): the CRC-32 of gzip pieces, faster than zlib's (GzipStream); the
        // benchmark also compares its compression with zlib's.
        .systemLibrary(name: "CLibdeflate", path: "Sources/CLibdeflate"),
        // glibc's malloc.h (mallopt, malloc_trim): freed poll buffers go back to the system (HeapMemory).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // The git revision of the checkout, recorded at every build (`--version`, `usage_exporter_build_info`).
        .plugin(name: "BuildRevisionPlugin", capability: .buildTool()),
        .target(
            name: "UsageExporter",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "CZlib",
                "CLibdeflate",
                "CMalloc",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            plugins: ["BuildRevisionPlugin"]
        ),
        .target(
            name: "UsageExporterSimulator",
            dependencies: [
                "UsageExporter",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "usage-exporter",
            dependencies: [
                "UsageExporter",
                "UsageExporterSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "usage-exporter-bench",
            dependencies: [
                "UsageExporter", "UsageExporterSimulator", "CLibdeflate", "CZlib", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "UsageExporterTests",
            dependencies: [
                "UsageExporter",
                "UsageExporterSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ]
        ),
    ]
)
