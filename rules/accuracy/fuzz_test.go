package accuracy

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadAndScore feeds arbitrary gold and findings lines through the
// readers and the scorer: bad input is an error, never a panic, and a leak's
// context stays valid UTF-8 whatever the offsets.
func FuzzReadAndScore(f *testing.F) {
	f.Add(`{"event_id":"a","body":"bel 0612345678 nu","spans":[{"field":"body","start":4,"end":14,"type":"PHONE_NUMBER"}]}`,
		`{"event_id":"a","findings":[{"start":4,"end":9,"type":"PHONE_NUMBER"}]}`)
	f.Add(`{"event_id":"b","body":"Zoë","subject":"é","spans":[{"field":"body","start":1,"end":3,"type":"PERSON"},{"field":"subject","start":-5,"end":99,"type":"X"}]}`,
		`{"event_id":"b","findings":[{"field":"subject","start":0,"end":1,"type":"X"}]}`)
	f.Fuzz(func(t *testing.T, goldLine, predLine string) {
		gold, err := ReadGold(strings.NewReader(goldLine), "gold")
		if err != nil {
			return
		}
		pred, err := ReadPred(strings.NewReader(predLine), "pred")
		if err != nil {
			return
		}
		rep, err := Score(gold, pred, Options{MaxLeaks: 5})
		if err != nil {
			return
		}
		if rep.LeakRate < 0 || rep.LeakRate > 1 || rep.Recall < 0 || rep.Recall > 1 {
			t.Fatalf("figures out of range: %+v", rep)
		}
		for _, ex := range append(rep.Leaks, rep.Wrong...) {
			if utf8.ValidString(gold[0].Text[ex.Field]) && !utf8.ValidString(ex.Context) {
				t.Fatalf("context %q is not UTF-8", ex.Context)
			}
		}
	})
}
