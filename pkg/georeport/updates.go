package georeport

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// RequestUpdates is the list of request updates, FixMyStreet's servicerequestupdates (a
// top-level array in JSON).
type RequestUpdates struct {
	XMLName xml.Name `xml:"service_request_updates" json:"-"`
	Updates []any    `xml:"request_update"`
}

func (u RequestUpdates) list() any { return nonNil(u.Updates) }

// RequestUpdate is one activity as FixMyStreet reads it.
type RequestUpdate struct {
	UpdateID         string    `xml:"update_id" json:"update_id"`
	ServiceRequestID string    `xml:"service_request_id" json:"service_request_id"`
	Status           string    `xml:"status" json:"status"`
	UpdatedDatetime  OptTime   `xml:"updated_datetime" json:"updated_datetime"`
	Description      OptString `xml:"description" json:"description"`
	MediaURL         OptString `xml:"media_url" json:"media_url"`
}

// NewRequestUpdate shows an activity as a request update, its status in FixMyStreet's words.
func NewRequestUpdate(a open311.Activity, loc *time.Location) RequestUpdate {
	desc := a.Description
	if desc == "" {
		desc = a.Summary
	}
	return RequestUpdate{UpdateID: a.ID, ServiceRequestID: a.RequestID, Status: UpdateStatusWord(a),
		UpdatedDatetime: inZone(a.At, loc), Description: OptString(desc), MediaURL: OptString(a.MediaURL)}
}

// UpdateID is the answer to a POST of a request update: the id of the update as stored.
type UpdateID struct {
	UpdateID string `xml:"update_id" json:"update_id"`
}

// updateWords is the one table between FixMyStreet's status words and the detailed statuses:
// the status a word sets when staff send it, and (first match) the word a status is shown as.
var updateWords = []struct {
	word   string
	status open311.Status
}{
	{"open", open311.Open},
	{"action_scheduled", open311.Assigned},
	{"in_progress", open311.InProgress},
	{"investigating", open311.MoreInfo},
	{"closed", open311.Closed},
	{"no_further_action", open311.Rejected},
	{"fixed", open311.Closed},
	{"duplicate", open311.Closed},
	{"not_councils_responsibility", open311.Rejected},
	{"internal_referral", open311.Assigned},
}

// StatusOfWord returns the detailed status a FixMyStreet status word (any case) stands for.
func StatusOfWord(word string) (open311.Status, bool) {
	word = strings.ToLower(strings.TrimSpace(word))
	for _, w := range updateWords {
		if w.word == word {
			return w.status, true
		}
	}
	return "", false
}

// UpdateStatusWord is the FixMyStreet word shown for an activity: the word the client sent with
// it, else the word of the status it left the request in.
func UpdateStatusWord(a open311.Activity) string {
	if a.ExternalStatus != "" {
		return strings.ToLower(a.ExternalStatus)
	}
	for _, w := range updateWords {
		if w.status == a.Status {
			return w.word
		}
	}
	return "open" // submitted and incomplete requests are open to FixMyStreet
}
