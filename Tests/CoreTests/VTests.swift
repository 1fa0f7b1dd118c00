import Testing
@testable import Core
@Test func v() { #expect(!LGSPVersion.current.isEmpty) }
