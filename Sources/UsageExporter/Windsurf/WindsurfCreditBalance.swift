/// The answer of `POST /api/v1/GetTeamCreditBalance`, in whole credits.
public struct WindsurfCreditBalance: Sendable, Equatable, Decodable, WindsurfAnswer {
    public var promptCreditsPerSeat: Double
    public var seats: Double
    public var addOnCreditsAvailable: Double
    public var addOnCreditsUsed: Double
    public var billingCycleStart: Double?
    public var billingCycleEnd: Double?
    public var error: String

    public init(
        promptCreditsPerSeat: Double,
        seats: Double,
        addOnCreditsAvailable: Double,
        addOnCreditsUsed: Double,
        billingCycleStart: Double? = nil,
        billingCycleEnd: Double? = nil
    ) {
        self.promptCreditsPerSeat = promptCreditsPerSeat
        self.seats = seats
        self.addOnCreditsAvailable = addOnCreditsAvailable
        self.addOnCreditsUsed = addOnCreditsUsed
        self.billingCycleStart = billingCycleStart
        self.billingCycleEnd = billingCycleEnd
        self.error = ""
    }

    enum CodingKeys: String, CodingKey {
        case promptCreditsPerSeat, numSeats, addOnCreditsAvailable, addOnCreditsUsed, billingCycleStart, billingCycleEnd, error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptCreditsPerSeat = try container.decodeFlexibleNumber(forKey: .promptCreditsPerSeat) ?? 0
        seats = try container.decodeFlexibleNumber(forKey: .numSeats) ?? 0
        addOnCreditsAvailable = try container.decodeFlexibleNumber(forKey: .addOnCreditsAvailable) ?? 0
        addOnCreditsUsed = try container.decodeFlexibleNumber(forKey: .addOnCreditsUsed) ?? 0
        billingCycleStart = try container.decodeTimestamp(forKey: .billingCycleStart)
        billingCycleEnd = try container.decodeTimestamp(forKey: .billingCycleEnd)
        error = try container.decodeString(forKey: .error)
    }
}
