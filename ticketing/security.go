package ticketing

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LastEvent finds the latest event of a type on a ticket whose text matches like (SQL LIKE);
// found is false when there is none.
func (t *Tx) LastEvent(ticketID, typ, like string) (id int64, at time.Time, found bool, err error) {
	var s string
	err = t.row("event-last-like", ticketID, typ, like).Scan(&id, &s)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("last %s event of %s: %w", typ, ticketID, err)
	}
	return id, parseTS(s), true, nil
}

// CountEventsAfter counts the events of a type on a ticket, recorded after the event afterID,
// whose text matches like (SQL LIKE).
func (t *Tx) CountEventsAfter(ticketID, typ, like string, afterID int64) (int, error) {
	var n int
	if err := t.row("event-count-after-like", ticketID, typ, like, afterID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s events of %s: %w", typ, ticketID, err)
	}
	return n, nil
}
