/// Ways the dictionary stand-in can misbehave, for tests of synchronization.
public struct DictionaryFaults: Codable, Sendable, Equatable {
    /// Every catalog request answers 503.
    public var unavailable = false
    /// This page (1-based) of every concept list answers 500: a read that fails half-way.
    public var failPage: Int?
    /// From this page on, pages claim a newer version: the dictionary changed during the read.
    public var changeVersionAtPage: Int?
    /// Every answer waits this long (milliseconds).
    public var delayMilliseconds = 0
    /// The concept count in the description is off by one (a truncated export).
    public var wrongCount = false

    public init() {}

    /// Absent fields keep their defaults (`{"failPage": 2}` is enough).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        unavailable = try container.decodeIfPresent(Bool.self, forKey: .unavailable) ?? false
        failPage = try container.decodeIfPresent(Int.self, forKey: .failPage)
        changeVersionAtPage = try container.decodeIfPresent(Int.self, forKey: .changeVersionAtPage)
        delayMilliseconds = try container.decodeIfPresent(Int.self, forKey: .delayMilliseconds) ?? 0
        wrongCount = try container.decodeIfPresent(Bool.self, forKey: .wrongCount) ?? false
    }
}
