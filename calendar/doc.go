// Package calendar knows which days are business days in each country of a
// corridor, and from that, when a payment is due: its value date and the
// deadline by which the receiving bank must have credited it.
//
// # Data, not rules
//
// Neither Russia's nor Iran's calendar can be computed. Russia's Labour Code
// (art. 112) lists the public holidays and moves a holiday that falls on a
// weekend to the next working day, but every year a government decree moves
// other days off around (the New Year weekend days, "bridges" between a
// holiday and a weekend), usually signed in the autumn before; the result is
// the "production calendar". Iran's holidays are partly on the Solar Hijri
// calendar, which is computable, and partly on the Islamic lunar calendar,
// which depends on the sighting of the moon and is published each year, can
// move by a day at short notice, and is joined by ad-hoc closures for heat,
// energy shortages or mourning. The other countries of the corridors are no
// easier. India's banks close on the holidays each state notifies every
// December under section 25 of the Negotiable Instruments Act; RTGS settles
// in Mumbai, so the calendar is Maharashtra's list as the Reserve Bank keeps
// it for Mumbai, which the state changes during the year (Id-E-Milad moved
// from 5 to 8 September 2025, an election day added in January 2026).
// Azerbaijan's Labour Code (art. 105) lists the holidays and moves one that
// falls on a rest day to the next working day, but the Cabinet of Ministers
// sets the days of Novruz and of the two bayrams each December and swaps
// working and rest days during the year. China's State Council publishes
// each November which weekdays are off and which Saturdays and Sundays are
// worked (调休) around its statutory days. So holidays are data: one file
// per country and data year ships in the binary (see data/README.md for the
// format and the sources), and an operator can replace or extend it at
// runtime (a data file, an iCalendar import, the confirmation of an
// estimate, an ad-hoc closure), each change recorded in an audit log with
// who made it and when. A question about a date in a year without data is
// an error (*NoDataError), never a guess.
//
// # Weeks
//
// Russia rests on Saturday and Sunday; Iran on Friday, and Iranian banks
// work shorter hours on Thursday (branches 07:30–12:30 instead of
// 07:30–13:30, Tehran time). So the days both countries are open are Monday
// to Wednesday, plus Thursday morning in Iran. Whether that Thursday counts
// is a setting of the corridor (Corridor.CountShortWeekday), because it
// depends on what the receiving bank commits to. Azerbaijan and China rest
// on Saturday and Sunday, though a Chinese or Azerbaijani Saturday may be a
// working day (a working_weekend entry). Indian banks rest on Sunday and on
// the second and fourth Saturday of each month, by a 2015 notification of
// the Central Government; a weekly list cannot say that, so a profile has
// monthly rest days too (Profile.WeekendMonthly, MonthWeekday).
//
// Banking hours and cut-offs are configuration (Profile), with the
// published values as defaults: the Bank of Russia payment system's
// regular session, 01:00–21:00 Moscow time; the Iranian branch hours; the
// RBI's window for customer RTGS transactions, 07:00–18:00 (RTGS itself has
// run round the clock since December 2020); the hours AZIPS accepts
// payment orders, 09:20–17:00 Baku time; and the HVPS day session to its
// 17:15 cut-off, Beijing time. Each country's zone is an IANA zone,
// Europe/Moscow (UTC+3), Asia/Tehran (UTC+3:30, without the daylight saving
// time Iran abolished in 2022), Asia/Kolkata (UTC+5:30), Asia/Baku (UTC+4,
// without the daylight saving time Azerbaijan abolished in 2016) and
// Asia/Shanghai (UTC+8); the tz database is compiled in, and a zone that
// contradicts those facts stops start-up (ErrZoneData).
//
// # Estimates
//
// Every entry is official or an estimate. Iranian lunar holidays start as
// estimates (computed from the Umm al-Qura calendar) and are confirmed, and
// sometimes moved by a day, when the official calendar or the moon sighting
// settles them; Russian transfers for a year whose decree is not yet adopted
// are estimates computed from art. 112. The same holds for the years not
// yet published elsewhere: India's 2027 list (fixed dates as before, Hindu
// festivals from a computed table, Islamic holidays Umm al-Qura plus a
// day), Azerbaijan's 2027 Novruz, bayrams (Umm al-Qura) and moved days off
// (art. 105.5), China's 2027 make-up days (art. 6 of the holiday measures).
// Each estimate's source names its rule. Estimates count like official days,
// so a value date may move when one is confirmed: every change increments
// Set.Version and closes the channel from Set.Changed, so that callers can
// recompute the deadlines they promised.
//
// # Scopes
//
// An entry applies to the whole country, to one province ("province:Tehran")
// or to one bank ("bank:<BIC>"): Iranian closures are often provincial. A
// query names the scopes it is in (a corridor names the provinces and BICs
// of its banks); national entries always apply.
//
// # Dates
//
// Civil dates are [Date] values (year, month, day, no zone); an instant
// becomes a date only in a named zone. The Solar Hijri conversion is in the
// subpackage jalali. The package does no I/O of its own and never reads the
// clock: times come from the caller.
package calendar
