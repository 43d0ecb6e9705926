import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on every `SIGHUP` until shutdown.
struct ReloadSignalService: Service {
    let reloader: ConfigurationReloader

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            _ = await reloader.reload()
        }
    }
}
