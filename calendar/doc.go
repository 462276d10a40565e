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
// energy shortages or mourning. So holidays are data: one file per country
// and data year ships in the binary (see data/README.md for the format), and
// an operator can replace or extend it at runtime (a data file, an iCalendar
// import, the confirmation of an estimate, an ad-hoc closure), each change
// recorded in an audit log with who made it and when. A question about a date
// in a year without data is an error (*NoDataError), never a guess.
//
// # Two weeks
//
// Russia rests on Saturday and Sunday; Iran on Friday, and Iranian banks
// work shorter hours on Thursday (branches 07:30–12:30 instead of
// 07:30–13:30, Tehran time). So the days both countries are open are Monday
// to Wednesday, plus Thursday morning in Iran. Whether that Thursday counts
// is a setting of the corridor (Corridor.CountShortWeekday), because it
// depends on what the receiving bank commits to. Banking hours and cut-offs
// are configuration (Profile), with the published values as defaults: the
// Bank of Russia payment system's regular session, 01:00–21:00 Moscow time,
// and the Iranian branch hours. Each country's zone is an IANA zone,
// Europe/Moscow (UTC+3) and Asia/Tehran (UTC+3:30, without the daylight
// saving time Iran abolished in 2022); the tz database is compiled in, and
// a zone that contradicts those facts stops start-up (ErrZoneData).
//
// # Estimates
//
// Every entry is official or an estimate. Iranian lunar holidays start as
// estimates (computed from the Umm al-Qura calendar) and are confirmed, and
// sometimes moved by a day, when the official calendar or the moon sighting
// settles them; Russian transfers for a year whose decree is not yet adopted
// are estimates computed from art. 112. Estimates count like official days,
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
