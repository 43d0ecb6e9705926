import NIOPosix
import Synchronization

#if canImport(Glibc)
import CMalloc
#endif

/// Keeps the process's resident memory near what it uses, where the C library is glibc.
///
/// A poll allocates its answer bodies and decoded rows (megabytes at 10,000 users) on whichever threads
/// run it, and frees them once its snapshot is built. glibc keeps freed memory in its arenas (one per
/// thread that allocated, up to eight per core) and returns only the top of each heap on its own; it also
/// raises its mmap threshold (up to 32 MiB) each time a large mapped block is freed, so that from the
/// second poll on, poll-sized buffers come from the arenas and stay there. Without the two measures below
/// the resident size stays at the sum of the concurrent polls' peaks for the life of the process.
/// Measured with `--demo --demo.users 10000` (see docs/performance.md): resident size after
/// the first polls and 62 scrapes 140–150 MB without them, 95–101 MB with them, peak 116–120 MB.
public enum HeapMemory {
    /// Fixes glibc's mmap threshold at 128 KiB (its initial value), so that every larger block is mapped
    /// and unmapped instead of staying in an arena once freed. An operator's `MALLOC_MMAP_THRESHOLD_` in
    /// `environment` wins. Call once, at start.
    public static func limitRetainedMemory(environment: [String: String]) {
        #if canImport(Glibc)
        guard environment["MALLOC_MMAP_THRESHOLD_"] == nil else { return }
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        #endif
    }

    /// True while a trim runs: polls that finish together share it instead of queueing one each.
    private static let trimming = Atomic(false)

    /// Gives the free pages of every arena back to the operating system (`malloc_trim(0)`), on the
    /// blocking thread pool because it walks the heaps under their locks. Called after each poll; a call
    /// while another trim runs returns at once (what that trim misses, the next poll's trim releases).
    static func releaseFreedMemory() async {
        #if canImport(Glibc)
        guard trimming.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        _ = try? await NIOThreadPool.singleton.runIfActive { malloc_trim(0) }
        trimming.store(false, ordering: .releasing)
        #endif
    }
}
