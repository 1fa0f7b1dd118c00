import NIOFileSystem

extension FileHandleProtocol where Self: Sendable {
    /// Closes the handle even when the current task is cancelled. NIO's file system runs `close()` on its
    /// thread pool only if the task is still active: a cancelled task (a health check past its deadline,
    /// a request whose client went away) would leave the handle open, and NIO stops the process when an
    /// unclosed handle is released. The close runs in a task of its own, which no cancellation reaches.
    public func closeEvenIfCancelled() async {
        await Task { try? await self.close() }.value
    }
}
