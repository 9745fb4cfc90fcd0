import KioskAPI

extension AdminClient {
    /// Whether a kioskd listens on the socket (a socket file left by a daemon that died refuses).
    var isAnswering: Bool { UnixSocket.canConnect(to: socketPath) }
}
