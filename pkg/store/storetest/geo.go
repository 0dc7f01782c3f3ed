package storetest

import (
	"fmt"
	"testing"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
)

// testQueryGeo checks Within and Near on hand-placed points: on edges and corners, a few
// metres either side of a box or a circle, either side of and on the antimeridian, near a
// pole, and without a point. Each case states its answer, and the reference (BBox.Contains,
// Circle.Contains) must agree with it before the store is asked.
func testQueryGeo(t *testing.T, s store.Store) {
	pt := func(lat, long float64) *open311.Point { return &open311.Point{Lat: lat, Long: long} }
	in1 := pt(37.76, -122.44)
	var all []open311.Request
	for i, c := range []struct {
		id    string
		p     *open311.Point
		apply func(*open311.Request)
	}{
		{"IN-1", in1, nil},
		{"EDGE-W", pt(37.76, -122.45), nil},
		{"EDGE-N", pt(37.77, -122.44), func(r *open311.Request) { r.Status = open311.Closed }},
		{"CORNER", pt(37.75, -122.43), func(r *open311.Request) { r.ServiceCode = "pothole" }},
		{"OUT-E", pt(37.76, -122.4299), nil}, // 9 m east of the box, 889 m from IN-1
		{"OUT-N", pt(37.7701, -122.44), nil}, // 11 m north of the box
		{"NOPOINT", nil, nil},
		{"PRIV-IN", pt(37.76, -122.44), func(r *open311.Request) { r.Private = true }},
		{"SUB-IN", pt(37.76, -122.44), func(r *open311.Request) { r.Status, r.Token = open311.Submitted, "TOK-SUB" }},
		{"DL-E", pt(-17, 179.8), nil},
		{"DL-W", pt(-17, -179.8), nil},
		{"DL-180", pt(-17, 180), nil},
		{"DL-M180", pt(-17, -180), nil},
		{"DL-FAR-E", pt(-17, 179), nil},
		{"DL-FAR-W", pt(-17, -179), nil},
		{"POLE", pt(89.9, 10), nil},
		{"ORIGIN", pt(0, 0), nil},
	} {
		r := minimalRequest(c.id, at(i))
		r.Point = c.p
		if c.apply != nil {
			c.apply(&r)
		}
		create(t, s, r)
		all = append(all, r)
	}
	box1 := open311.BBox{MinLong: -122.45, MinLat: 37.75, MaxLong: -122.43, MaxLat: 37.77}
	c1 := open311.Circle{Center: *in1, Radius: 1000}
	withPoints := []string{"ORIGIN", "POLE", "DL-FAR-W", "DL-FAR-E", "DL-M180", "DL-180", "DL-W", "DL-E",
		"OUT-N", "OUT-E", "CORNER", "EDGE-N", "EDGE-W", "IN-1"}
	for _, tc := range []struct {
		name string
		q    store.Query
		want []string // newest first: the reverse of the list above
	}{
		{"within a box, edges and corners included", store.Query{Within: &box1},
			[]string{"CORNER", "EDGE-N", "EDGE-W", "IN-1"}},
		{"within a box across the antimeridian", store.Query{Within: &open311.BBox{MinLong: 179.5, MinLat: -17.5, MaxLong: -179.5, MaxLat: -16.5}},
			[]string{"DL-M180", "DL-180", "DL-W", "DL-E"}},
		{"within a box up to the antimeridian from the east", store.Query{Within: &open311.BBox{MinLong: 179.5, MinLat: -17.5, MaxLong: 180, MaxLat: -16.5}},
			[]string{"DL-180", "DL-E"}},
		{"within a box from the antimeridian to the west", store.Query{Within: &open311.BBox{MinLong: -180, MinLat: -17.5, MaxLong: -179.5, MaxLat: -16.5}},
			[]string{"DL-M180", "DL-W"}},
		{"within the world", store.Query{Within: &open311.BBox{MinLong: -180, MinLat: -90, MaxLong: 180, MaxLat: 90}}, withPoints},
		{"within a point", store.Query{Within: &open311.BBox{MinLong: -122.44, MinLat: 37.76, MaxLong: -122.44, MaxLat: 37.76}},
			[]string{"IN-1"}},
		{"within an empty sea", store.Query{Within: &open311.BBox{MinLong: -40, MinLat: -40, MaxLong: -30, MaxLat: -30}}, nil},
		{"near a point", store.Query{Near: &c1}, []string{"OUT-E", "EDGE-W", "IN-1"}},
		{"near a point, radius 0", store.Query{Near: &open311.Circle{Center: *in1}}, []string{"IN-1"}},
		{"near the antimeridian", store.Query{Near: &open311.Circle{Center: open311.Point{Lat: -17, Long: 179.95}, Radius: 30000}},
			[]string{"DL-M180", "DL-180", "DL-W", "DL-E"}},
		{"near the pole, across it", store.Query{Near: &open311.Circle{Center: open311.Point{Lat: 89.95, Long: -170}, Radius: 20000}},
			[]string{"POLE"}},
		{"near, half the earth", store.Query{Near: &open311.Circle{Radius: 2e7}}, withPoints},
		{"near and within", store.Query{Near: &c1, Within: &box1}, []string{"EDGE-W", "IN-1"}},
		{"within and closed", store.Query{Within: &box1, Statuses: []string{"closed"}}, []string{"EDGE-N"}},
		{"within and one service", store.Query{Within: &box1, ServiceCodes: []string{"pothole"}}, []string{"CORNER"}},
		{"near and requested to", store.Query{Near: &c1, RequestedTo: at(1)}, []string{"EDGE-W", "IN-1"}},
		{"ids override within", store.Query{Within: &box1, IDs: []string{"OUT-E", "NOPOINT", "IN-1"}},
			[]string{"NOPOINT", "OUT-E", "IN-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.JurisdictionID = jurA
			if ref := expectedIDs(all, q); !sameIDs(t, "the reference answer (BBox and Circle Contains)", ref, tc.want) {
				t.Fatal("the case and the reference disagree: fix the case")
			}
			page, err := s.QueryRequests(t.Context(), q)
			must(t, err, "QueryRequests")
			sameIDs(t, "one page", requestIDs(page.Requests), tc.want)
			if len(q.IDs) > 0 {
				return
			}
			for _, limit := range []int{1, 2} {
				q := q
				q.Limit = limit
				sameIDs(t, fmt.Sprintf("walk with limit %d", limit), walk(t, s, q, len(all)+2), tc.want)
			}
		})
	}
}
