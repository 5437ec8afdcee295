package rating

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
)

// ProrationPlaces is the number of decimal places a prorated amount is carried
// to. Proration is the only division in rating; it is done last, once per
// line, and rounded half away from zero at this precision, far below any
// currency's minor unit.
const ProrationPlaces int32 = 16

// Period is a calendar month in a location; billing charges by Period. A nil
// Location means UTC.
type Period struct {
	Year     int
	Month    time.Month
	Location *time.Location
}

// PeriodOf returns the calendar month, in loc (nil for UTC), containing the
// instant t.
func PeriodOf(t time.Time, loc *time.Location) Period {
	if loc == nil {
		loc = time.UTC
	}
	y, m, _ := t.In(loc).Date()
	return Period{Year: y, Month: m, Location: loc}
}

func (p Period) loc() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// Start is the first instant of the month.
func (p Period) Start() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, p.loc()) }

// End is the first instant of the next month (exclusive).
func (p Period) End() time.Time { return time.Date(p.Year, p.Month+1, 1, 0, 0, 0, 0, p.loc()) }

// Days is the number of days in the month: 28 to 31.
func (p Period) Days() int { return time.Date(p.Year, p.Month+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// Next is the following month.
func (p Period) Next() Period {
	n := time.Date(p.Year, p.Month+1, 1, 0, 0, 0, 0, time.UTC)
	return Period{Year: n.Year(), Month: n.Month(), Location: p.Location}
}

// String is "2026-03".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// first and last are the month's first and last calendar dates (see day).
func (p Period) first() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC) }
func (p Period) last() time.Time  { return time.Date(p.Year, p.Month+1, 0, 0, 0, 0, 0, time.UTC) }

// contains reports whether calendar date d falls in the month.
func (p Period) contains(d time.Time) bool { return d.Year() == p.Year && d.Month() == p.Month }

// inLoc turns calendar date d into midnight of that date in the period's
// location, for showing on a line.
func (p Period) inLoc(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, p.loc())
}

// day returns the calendar date of t, read in t's own location with the clock
// time dropped, as midnight UTC. Every date field in this package (plan
// effective dates, subscription start and end, segment starts) goes through
// day, so a DATE column read back as midnight UTC and a midnight in the
// billing location both mean the day they name.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween counts the days from a to b (dates from day); b after a is
// positive.
func daysBetween(a, b time.Time) int { return int(b.Sub(a) / (24 * time.Hour)) }

func formatDay(d time.Time) string { return d.Format("2006-01-02") }

// ServiceDays counts the days of period on which a subscription running from
// start to end is in service. Both ends are inclusive calendar dates: end is
// the last day of service, and nil means the subscription is still open. A
// subscription from 16 March has 16 service days in a 31-day March; one from
// 1 March ending 15 March has 15.
func ServiceDays(start time.Time, end *time.Time, period Period) int {
	from, through, ok := serviceSpan(start, end, period)
	if !ok {
		return 0
	}
	return daysBetween(from, through) + 1
}

// serviceSpan clips [start, end] to the period; ok is false when they do not
// meet.
func serviceSpan(start time.Time, end *time.Time, period Period) (from, through time.Time, ok bool) {
	from, through = period.first(), period.last()
	if s := day(start); s.After(from) {
		from = s
	}
	if end != nil {
		if e := day(*end); e.Before(through) {
			through = e
		}
	}
	return from, through, !from.After(through)
}

// Prorate returns monthly × days / period.Days(): the part of a monthly
// amount due for days of service in period. It multiplies first and divides
// once, carrying the quotient to ProrationPlaces decimal places (half away
// from zero); a whole month comes back exactly.
func Prorate(monthly decimal.Decimal, days int, period Period) decimal.Decimal {
	n := period.Days()
	if days == n {
		return monthly
	}
	return monthly.Mul(decimal.NewFromInt(int64(days))).DivRound(decimal.NewFromInt(int64(n)), ProrationPlaces)
}

// The billing periods Engage holds: the months from FirstPeriod to
// LastPeriod. Usage is narrower (the usage window around now), but a period
// once billed is read for years after, so reading is bounded by what can
// exist, not by the window: no usage, cloud charge, cost pool or statement
// can belong to a month outside this range.
var (
	FirstPeriod = Period{Year: 2000, Month: time.January}
	LastPeriod  = Period{Year: 2099, Month: time.December}
)

// ParsePeriod reads a billing period written YYYY-MM, in UTC, and refuses
// text that is not one or a month outside FirstPeriod…LastPeriod, naming
// field (the query parameter, form field or argument that held it). Every
// period a page, an API operation or a command takes is read here.
func ParsePeriod(field, s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != len("2006-01") {
		return Period{}, periodError(field, "%q is not a month: write YYYY-MM, such as 2026-03.", s)
	}
	p := Period{Year: t.Year(), Month: t.Month()}
	if p.Year < FirstPeriod.Year || p.Year > LastPeriod.Year {
		return Period{}, periodError(field, "%s is not a billing period Engage can hold: choose a month from %s to %s.", s, FirstPeriod, LastPeriod)
	}
	return p, nil
}

func periodError(field, format string, args ...any) error {
	return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
		Fields: []engage.FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}
