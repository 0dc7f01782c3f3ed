package open311

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestChangeApply(t *testing.T) {
	at := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	st := func(s Status) *Status { return &s }
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name       string
		r          Request   // the request changed (version 3)
		targets    []Request // the requests linked, in the order of the change's links
		change     Change
		want       Request // r after the change
		acts       []Activity
		wantTarget []Request
	}{
		{
			name:   "a comment",
			r:      Request{ID: "A", Status: Open},
			change: Change{Comment: "  Still there.  ", MediaURL: "https://p.example/1.jpg"},
			want:   Request{ID: "A", Status: Open, Updated: at},
			acts: []Activity{{ID: "A-4", RequestID: "A", At: at, Who: "staff", Kind: KindComment, Summary: "Comment.",
				Description: "Still there.", Status: Open, MediaURL: "https://p.example/1.jpg"}},
		},
		{
			name:   "assign and schedule",
			r:      Request{ID: "A", Status: Open},
			change: Change{Status: st(Assigned), AgencyResponsible: str("Parks"), Expected: &at},
			want:   Request{ID: "A", Status: Assigned, AgencyResponsible: "Parks", Expected: at, Updated: at},
			acts: []Activity{{ID: "A-4", RequestID: "A", At: at, Who: "staff", Kind: KindStatus,
				Summary: "Status: open → assigned. Assigned to Parks. Expected by 2026-11-02T15:04:05Z.", Status: Assigned}},
		},
		{
			name:    "marking a duplicate closes it and links both",
			r:       Request{ID: "A", Status: Open},
			targets: []Request{{ID: "B", Status: InProgress, Version: 7}},
			change:  Change{Links: []Link{{DuplicateOf, "B"}}},
			want: Request{ID: "A", Status: Closed, StatusNotes: "Duplicate of B.", Updated: at, Closed: at,
				Links: []Link{{DuplicateOf, "B"}}},
			acts: []Activity{
				{ID: "A-4", RequestID: "A", At: at, Who: "staff", Kind: KindStatus, Status: Closed,
					Summary: "Status: open → closed. Status notes updated. Linked: duplicate_of B."},
				{ID: "B-8", RequestID: "B", At: at, Who: "staff", Kind: KindLink, Status: InProgress,
					Summary: "Linked: duplicated_by A."},
			},
			wantTarget: []Request{{ID: "B", Status: InProgress, Version: 7, Updated: at, Links: []Link{{DuplicatedBy, "A"}}}},
		},
		{
			name:    "a duplicate keeps the notes and status staff give",
			r:       Request{ID: "A", Status: Open},
			targets: []Request{{ID: "B", Status: Open}},
			change:  Change{Status: st(Rejected), StatusNotes: str("Reported twice."), Links: []Link{{DuplicateOf, "B"}}},
			want: Request{ID: "A", Status: Rejected, StatusNotes: "Reported twice.", Updated: at, Closed: at,
				Links: []Link{{DuplicateOf, "B"}}},
			acts: []Activity{
				{ID: "A-4", RequestID: "A", At: at, Who: "staff", Kind: KindStatus, Status: Rejected,
					Summary: "Status: open → rejected. Status notes updated. Linked: duplicate_of B."},
				{ID: "B-1", RequestID: "B", At: at, Who: "staff", Kind: KindLink, Status: Open, Summary: "Linked: duplicated_by A."},
			},
			wantTarget: []Request{{ID: "B", Status: Open, Updated: at, Links: []Link{{DuplicatedBy, "A"}}}},
		},
		{
			name:    "a link alone is a link, and a parent holds its child",
			r:       Request{ID: "A", Status: Open},
			targets: []Request{{ID: "P", Status: Open}},
			change:  Change{Comment: "Part of the same outage.", Links: []Link{{ChildOf, "P"}}},
			want:    Request{ID: "A", Status: Open, Updated: at, Links: []Link{{ChildOf, "P"}}},
			acts: []Activity{
				{ID: "A-4", RequestID: "A", At: at, Who: "staff", Kind: KindLink, Status: Open,
					Summary: "Linked: child_of P.", Description: "Part of the same outage."},
				{ID: "P-1", RequestID: "P", At: at, Who: "staff", Kind: KindLink, Status: Open, Summary: "Linked: parent_of A."},
			},
			wantTarget: []Request{{ID: "P", Status: Open, Updated: at, Links: []Link{{ParentOf, "A"}}}},
		},
		{
			name:    "a link made before is not made again",
			r:       Request{ID: "A", Status: Open, Links: []Link{{RelatedTo, "B"}}},
			targets: []Request{{ID: "B", Status: Open, Links: []Link{{RelatedTo, "A"}}}},
			change:  Change{Comment: "Same outage.", Links: []Link{{RelatedTo, "B"}}},
			want:    Request{ID: "A", Status: Open, Updated: at, Links: []Link{{RelatedTo, "B"}}},
			acts: []Activity{{ID: "A-4", RequestID: "A", At: at, Who: "staff", Kind: KindComment, Status: Open,
				Summary: "Comment.", Description: "Same outage."}},
			wantTarget: []Request{{ID: "B", Status: Open, Links: []Link{{RelatedTo, "A"}}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.Version = 3
			tc.want.Version = 3
			targets := make([]*Request, len(tc.targets))
			for i := range tc.targets {
				targets[i] = &tc.targets[i]
			}
			acts, err := tc.change.Apply(&r, targets, "staff", at.Add(300*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r, tc.want) {
				t.Errorf("request\n got %+v\nwant %+v", r, tc.want)
			}
			if !reflect.DeepEqual(acts, tc.acts) {
				t.Errorf("activities\n got %+v\nwant %+v", acts, tc.acts)
			}
			if len(tc.wantTarget) > 0 && !reflect.DeepEqual(tc.targets, tc.wantTarget) {
				t.Errorf("targets\n got %+v\nwant %+v", tc.targets, tc.wantTarget)
			}
		})
	}
}

func TestChangeRefused(t *testing.T) {
	st := func(s Status) *Status { return &s }
	for _, tc := range []struct {
		name   string
		status Status
		change Change
		says   string
	}{
		{"illegal transition", Assigned, Change{Status: st(Submitted)}, "a request that is assigned cannot become submitted; from assigned it can become open, in_progress, more_info, closed, rejected"},
		{"unknown status", Open, Change{Status: st("done")}, `status "done" is not one of`},
		{"media_url", Open, Change{Comment: "look", MediaURL: "javascript:alert(1)"}, "media_url must be an http or https URL"},
		{"long comment", Open, Change{Comment: strings.Repeat("é", MaxDescription+1)}, "the comment is 4001 characters long"},
		{"the status it has, and nothing to say", Assigned, Change{Status: st(Assigned)}, "nothing changes"},
		{"the same assignment, and nothing to say", Open, Change{AgencyResponsible: ptrTo("")}, "nothing changes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Request{ID: "A", Status: tc.status}
			before := r
			_, err := tc.change.Apply(&r, nil, "staff", time.Now())
			if !IsKind(err, Invalid) || !strings.Contains(strings.Join(ErrorMessages(err), " | "), tc.says) {
				t.Fatalf("err = %v, want Invalid saying %q", err, tc.says)
			}
			if r.Status != before.Status {
				t.Errorf("a refused change moved the request to %s", r.Status)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		change Change
		says   string
	}{
		{"itself", Change{Links: []Link{{RelatedTo, "A"}}}, "a request cannot be linked to itself"},
		{"too many", Change{Links: make([]Link, MaxLinks+1)}, "at most 19 requests can be linked at once"},
	} {
		if err := tc.change.Check("A"); !IsKind(err, Invalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: Check = %v, want Invalid saying %q", tc.name, err, tc.says)
		}
	}
}

func TestWindow(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name             string
		start, end       time.Time
		wantFrom, wantTo time.Time
		says             string
	}{
		{"neither: the default span back from now, open-ended", time.Time{}, time.Time{}, now.Add(-day), time.Time{}, ""},
		{"start only: 90 days on", now.Add(-10 * day), time.Time{}, now.Add(-10 * day), now.Add(80 * day), ""},
		{"end only: 90 days back", time.Time{}, now, now.Add(-90 * day), now, ""},
		{"both, 90 days apart", now.Add(-90 * day), now, now.Add(-90 * day), now, ""},
		{"both, too far apart", now.Add(-91 * day), now, time.Time{}, time.Time{}, "at most 90 days apart"},
		{"end before start", now, now.Add(-time.Second), time.Time{}, time.Time{}, "end_date is before start_date"},
	} {
		from, to, err := Window(tc.start, tc.end, now, day)
		switch {
		case tc.says != "":
			if !IsKind(err, Invalid) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.says)
			}
		case err != nil || !from.Equal(tc.wantFrom) || !to.Equal(tc.wantTo):
			t.Errorf("%s: %v %v %v, want %v %v", tc.name, from, to, err, tc.wantFrom, tc.wantTo)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
