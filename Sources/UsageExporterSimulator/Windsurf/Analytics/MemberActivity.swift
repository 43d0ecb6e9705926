/// One member's habits (languages, IDEs, models, how active and how intense), and the rows they produce day by day.
struct MemberActivity {
    typealias Vocabulary = SimulatedAnalyticsVocabulary

    let index: UInt32
    let member: SimulatedAnalyticsMember
    let profile: WindsurfAnalyticsGenerator.Profile
    let firstDay: Int
    let today: Int
    let rate: Double
    let intensity: Double
    let languages: (primary: UInt8, secondary: UInt8)
    let ides: (primary: UInt8, secondary: UInt8?)
    let cascadeIDE: UInt8
    let model: UInt8

    // Weights by code.
    static let languageWeights = [30, 15, 20, 8, 12, 5, 4, 5, 1]
    static let ideWeights = [55, 20, 15, 10]
    static let modelWeights = [40, 25, 20, 10, 5]
    static let modeWeights = [62, 18, 7, 13]
    /// Tools of Write mode: every tool, the common ones likelier.
    static let writeToolWeights = [20, 18, 12, 6, 10, 3, 3, 1, 5, 3, 2, 2, 2, 1, 1, 8, 5, 4]
    /// Tools of Read mode: reading and searching only.
    static let readToolWeights = [0, 30, 0, 10, 20, 8, 10, 0, 10, 0, 0, 5, 3, 0, 0, 0, 0, 0]

    /// `activityScale` (0–1) scales how often the member is active on days other than the last-usage days.
    init(
        index: Int,
        profile: WindsurfAnalyticsGenerator.Profile,
        firstDay: Int,
        today: Int,
        activityScale: Double = 1,
        using generator: inout SeededGenerator
    ) {
        self.index = UInt32(index)
        self.profile = profile
        self.firstDay = firstDay
        self.today = today
        rate = (profile.activeDays > 0 ? min(0.92, max(0.12, Double(profile.activeDays) / 21)) : 0.2) * activityScale
        let skew = Double.random(in: 0..<1, using: &generator)
        intensity = 0.35 + skew * skew * 2.2
        let primaryLanguage = UInt8(Self.pick(Self.languageWeights, using: &generator))
        var secondaryLanguage = UInt8(Self.pick(Self.languageWeights, using: &generator))
        if secondaryLanguage == primaryLanguage { secondaryLanguage = (primaryLanguage + 1) % UInt8(Vocabulary.languages.count) }
        languages = (primaryLanguage, secondaryLanguage)
        let primaryIDE = UInt8(Self.pick(Self.ideWeights, using: &generator))
        let secondaryIDE: UInt8? =
            generator.chance(0.15) ? (primaryIDE + UInt8.random(in: 1...3, using: &generator)) % UInt8(Vocabulary.ides.count) : nil
        ides = (primaryIDE, secondaryIDE)
        cascadeIDE = primaryIDE == Vocabulary.ideJetBrains ? Vocabulary.cascadeJetBrains : Vocabulary.cascadeEditor
        model = UInt8(Self.pick(Self.modelWeights, using: &generator))
        let version: UInt8 =
            switch primaryIDE {
            case 0: UInt8.random(in: 0...2, using: &generator)
            case 1: 3
            case 2: 4
            default: 5
            }
        member = SimulatedAnalyticsMember(
            email: profile.member.email,
            apiKey: profile.member.apiKey,
            groups: profile.member.groups,
            departed: profile.member.departed,
            versionCode: version
        )
    }

    static func unixDay(_ seconds: Double) -> Int { Int((seconds / 86_400).rounded(.down)) }

    /// Appends the member's rows, day by day.
    func generate(into sink: inout AnalyticsRowSink, using generator: inout SeededGenerator) {
        let lastAutocompleteDay = profile.lastAutocomplete.map(Self.unixDay)
        let lastChatDay = profile.lastChat.map(Self.unixDay)
        let lastCommandDay = profile.lastCommand.map(Self.unixDay) ?? Int.min
        guard lastAutocompleteDay != nil || lastChatDay != nil else { return }
        let endDay = min(today, max(lastAutocompleteDay ?? Int.min, lastChatDay ?? Int.min))
        let startDay = max(firstDay, profile.signup.map(Self.unixDay) ?? firstDay)
        guard startDay <= endDay else { return }
        var conversation: UInt16 = 0
        for day in startDay...endDay {
            let weekend = (day + 3) % 7 >= 5  // 1970-01-01 was a Thursday
            let autocompleteForced = day == lastAutocompleteDay
            let chatForced = day == lastChatDay
            guard autocompleteForced || chatForced || generator.chance(weekend ? rate * 0.15 : rate) else { continue }
            if let lastAutocompleteDay, day <= lastAutocompleteDay, autocompleteForced || generator.chance(0.92) {
                let lastHour = autocompleteForced ? profile.lastAutocomplete.map { Int(($0 - Double(day) * 86_400) / 3_600) } ?? 23 : 23
                autocomplete(
                    day: day,
                    lastHour: min(23, max(0, lastHour)),
                    forced: autocompleteForced,
                    commands: day <= lastCommandDay,
                    into: &sink,
                    using: &generator
                )
            }
            if let lastChatDay, day <= lastChatDay, chatForced || generator.chance(0.55) {
                cascade(day: day, conversation: &conversation, into: &sink, using: &generator)
            }
        }
    }

    /// 1–3 hours of autocomplete (on the last usage day, up to its hour and including it), and the day's PCW row.
    private func autocomplete(
        day: Int,
        lastHour: Int,
        forced: Bool,
        commands: Bool,
        into sink: inout AnalyticsRowSink,
        using generator: inout SeededGenerator
    ) {
        var hours: [Int] = forced ? [lastHour] : []
        let hourCount = 1 + Self.pick([45, 35, 20], using: &generator)
        while hours.count < hourCount {
            let hour = Int.random(in: min(7, lastHour)...min(19, lastHour), using: &generator)
            if !hours.contains(hour) { hours.append(hour) } else if hours.count >= lastHour + 1 || generator.chance(0.3) { break }
        }
        hours.sort()
        let ide = ides.secondary.flatMap { generator.chance(0.25) ? $0 : nil } ?? ides.primary
        var dayBytes = 0
        var mainLanguage: UInt8?
        for hour in hours {
            let language = pickLanguage(using: &generator)
            mainLanguage = mainLanguage ?? language
            dayBytes += appendAutocomplete(day: day, hour: hour, language: language, ide: ide, into: &sink, using: &generator)
            if generator.chance(0.12) {
                let other = language == languages.primary ? languages.secondary : languages.primary
                dayBytes += appendAutocomplete(day: day, hour: hour, language: other, ide: ide, into: &sink, using: &generator)
            }
        }
        let commandBytes = commands && generator.chance(0.35) ? Int.random(in: 150...4_000, using: &generator) : 0
        let userBytes =
            Int(Double(dayBytes + commandBytes) * Double.random(in: 0.3...2.2, using: &generator))
            + Int.random(in: 0...1_500, using: &generator)
        sink.add(
            SimulatedCodeWrittenRow(
                member: Int(index),
                day: day,
                language: mainLanguage ?? languages.primary,
                ide: ide,
                autocompleteBytes: dayBytes,
                commandBytes: commandBytes,
                userBytes: userBytes
            )
        )
    }

    /// Appends one USER_DATA row; returns its accepted bytes.
    private func appendAutocomplete(
        day: Int,
        hour: Int,
        language: UInt8,
        ide: UInt8,
        into sink: inout AnalyticsRowSink,
        using generator: inout SeededGenerator
    ) -> Int {
        let acceptances = max(1, Int(Double(Int.random(in: 1...24, using: &generator)) * intensity))
        let lines = acceptances + Int.random(in: 0...(acceptances * 2), using: &generator)
        let bytes = lines * Int.random(in: 20...48, using: &generator)
        sink.add(
            SimulatedAutocompleteRow(
                member: Int(index),
                day: day,
                hour: hour,
                language: language,
                ide: ide,
                acceptances: acceptances,
                lines: lines,
                bytes: bytes
            )
        )
        return bytes
    }

    private func pickLanguage(using generator: inout SeededGenerator) -> UInt8 {
        if generator.chance(0.72) { return languages.primary }
        if generator.chance(0.7) { return languages.secondary }
        return UInt8(Self.pick(Self.languageWeights, using: &generator))
    }

    /// 1–3 conversations (the first sometimes continuing an earlier day's), each of 1–3 rows: a later row of the
    /// same conversation switches mode, switches model, or repeats both (a split the exporter must sum).
    private func cascade(
        day: Int,
        conversation: inout UInt16,
        into sink: inout AnalyticsRowSink,
        using generator: inout SeededGenerator
    ) {
        let modelCount = Vocabulary.models.count
        let conversations = 1 + Self.pick([60, 30, 10], using: &generator)
        for number in 0..<conversations {
            if !(number == 0 && conversation > 0 && generator.chance(0.08)) { conversation &+= 1 }
            let model = generator.chance(0.7) ? self.model : UInt8(Self.pick(Self.modelWeights, using: &generator))
            let mode = UInt8(Self.pick(Self.modeWeights, using: &generator))
            let ideType = generator.chance(0.06) ? Vocabulary.cascadeCLI : cascadeIDE
            let parts = 1 + Self.pick([78, 16, 6], using: &generator)
            for part in 0..<parts {
                var partModel = model
                var partMode = mode
                if part > 0 {
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: partMode = mode == Vocabulary.modeDefault ? Vocabulary.modeReadOnly : Vocabulary.modeDefault
                    case 1: partModel = UInt8((Int(model) + Int.random(in: 1..<modelCount, using: &generator)) % modelCount)
                    default: break
                    }
                }
                let messages = max(1, Int(Double(Int.random(in: 1...6, using: &generator)) * intensity))
                let extra = generator.chance(0.3) ? Int.random(in: 1...60, using: &generator) : 0
                var suggested = 0
                var acceptedPercent = 0
                var tools: [(tool: Int, count: Int)] = []
                if ideType != Vocabulary.cascadeCLI {
                    switch partMode {
                    case Vocabulary.modeDefault:
                        suggested = messages * Int.random(in: 0...18, using: &generator)
                        acceptedPercent = generator.chance(0.22) ? 0 : Int.random(in: 35...100, using: &generator)
                        tools = Self.pickTools(
                            Self.writeToolWeights,
                            count: Int.random(in: 1...2, using: &generator),
                            messages: messages,
                            using: &generator
                        )
                    case Vocabulary.modeReadOnly:
                        tools = Self.pickTools(
                            Self.readToolWeights,
                            count: Int.random(in: 1...2, using: &generator),
                            messages: messages,
                            using: &generator
                        )
                    case Vocabulary.modeUnknown:
                        suggested = generator.chance(0.3) ? Int.random(in: 1...10, using: &generator) : 0
                        acceptedPercent = 50
                        tools = Self.pickTools(
                            Self.writeToolWeights,
                            count: Int.random(in: 0...1, using: &generator),
                            messages: messages,
                            using: &generator
                        )
                    default:
                        break
                    }
                }
                sink.add(
                    SimulatedCascadeRow(
                        member: Int(index),
                        day: day,
                        conversation: Int(conversation),
                        model: partModel,
                        mode: partMode,
                        ideType: ideType,
                        messages: messages,
                        extraPromptHundredths: extra,
                        linesSuggested: suggested,
                        acceptedPercent: acceptedPercent,
                        tools: tools
                    )
                )
            }
        }
    }

    /// `count` distinct tools drawn by weight, each called 1 to 7 times (about once or twice per message).
    static func pickTools(_ weights: [Int], count: Int, messages: Int, using generator: inout SeededGenerator) -> [(tool: Int, count: Int)] {
        var tools: [(tool: Int, count: Int)] = []
        var attempts = 0
        while tools.count < count, attempts < 12 {
            attempts += 1
            let tool = pick(weights, using: &generator)
            if tools.contains(where: { $0.tool == tool }) { continue }
            tools.append((tool, Int.random(in: 1...min(7, messages * 2), using: &generator)))
        }
        return tools
    }

    /// An index drawn with probability proportional to `weights[index]`.
    static func pick(_ weights: [Int], using generator: inout SeededGenerator) -> Int {
        let total = weights.reduce(0, +)
        var roll = Int.random(in: 0..<total, using: &generator)
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }
}
