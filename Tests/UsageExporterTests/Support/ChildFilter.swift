import Foundation

/// Runs `executable` with `arguments`, writes `input` to its standard input and returns its standard
/// output; throws when it exits with another status than 0. For checks by programs independent of the
/// exporter (the system's gzip, Python).
func filter(through executable: String, _ arguments: [String], input: Data) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let standardInput = Pipe()
    let standardOutput = Pipe()
    process.standardInput = standardInput
    process.standardOutput = standardOutput
    try process.run()
    // Written from another thread: a large input would fill the pipe while the output is not yet read.
    let writer = Thread {
        standardInput.fileHandleForWriting.write(input)
        try? standardInput.fileHandleForWriting.close()
    }
    writer.start()
    let output = standardOutput.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ExporterHarness.HarnessError("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
    return output
}
