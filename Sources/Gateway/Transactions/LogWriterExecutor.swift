import NIOCore
import NIOPosix

/// A thread of its own for writing the transaction log. Composing a batch's statement (hundreds of rows,
/// thousands of bound values) takes milliseconds of CPU; on the threads that serve calls it would hold
/// up every call queued behind it, here the kernel shares the CPU with them instead.
final class LogWriterExecutor: TaskExecutor {
    static let shared = LogWriterExecutor()

    private let loop: any EventLoop

    private init() {
        loop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
