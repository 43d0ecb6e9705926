/// A USER_DATA field (and PCW_DATA's filter fields) as the evaluator reads it from a row: every value is a small
/// integer code (a member index, a day offset, an hour, a vocabulary index, a count), rendered only for the answer.
enum UserDataColumn: Sendable, Equatable {
    case apiKey
    case date
    /// `date UTC-8` and the like: the date of the row's hour shifted by `hours`.
    case shiftedDate(hours: Int)
    case hour
    case language
    case ide
    case version
    case acceptances
    case linesAccepted
    case bytesAccepted
    case distinctUsers
    case distinctDeveloperDays
    case distinctDeveloperHours

    init?(field: String) {
        switch field {
        case "api_key": self = .apiKey
        case "date": self = .date
        case "hour": self = .hour
        case "language": self = .language
        case "ide": self = .ide
        case "version": self = .version
        case "num_acceptances": self = .acceptances
        case "num_lines_accepted": self = .linesAccepted
        case "num_bytes_accepted": self = .bytesAccepted
        case "distinct_users": self = .distinctUsers
        case "distinct_developer_days": self = .distinctDeveloperDays
        case "distinct_developer_hours": self = .distinctDeveloperHours
        default:
            guard let hours = AnalyticsDataSource.shiftedDateHours(field) else { return nil }
            self = .shiftedDate(hours: hours)
        }
    }

    var isNumber: Bool {
        switch self {
        case .acceptances, .linesAccepted, .bytesAccepted: true
        default: false
        }
    }

    var isDate: Bool {
        switch self {
        case .date, .shiftedDate: true
        default: false
        }
    }
}
