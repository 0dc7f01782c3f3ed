package georeport

// The documents' appenders (see appender): each writes what encoding/json and encoding/xml
// write from the type's struct tags.

var (
	_ appender = ServiceRequests{}
	_ appender = Services{}
	_ appender = ServiceDefinition{}
	_ appender = RequestUpdates{}
	_ appender = Errors{}
)

func (s ServiceRequests) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, r := range s.Requests {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.(appender).appendJSON(b)
	}
	return append(b, ']')
}

func (s ServiceRequests) appendXML(b []byte) []byte {
	b = xmlOpen(b, "service_requests")
	for _, r := range s.Requests {
		b = r.(appender).appendXML(b)
	}
	return xmlClose(b, "service_requests")
}

// fast reports whether every request of the list has an appender.
func (s ServiceRequests) fast() bool {
	for _, r := range s.Requests {
		if _, ok := r.(appender); !ok {
			return false
		}
	}
	return true
}

func (r Request) appendJSON(b []byte) []byte {
	if !memoized(&r) {
		return r.writeJSON(b)
	}
	if w := jsonMemo.lookup(&r); w != nil {
		return append(b, w...)
	}
	start := len(b)
	b = r.writeJSON(b)
	jsonMemo.remember(&r, b[start:])
	return b
}

func (r *Request) writeJSON(b []byte) []byte {
	b = jsonKey(append(b, '{'), "service_request_id", true)
	b = jsonString(b, r.ServiceRequestID)
	b = jsonString(jsonKey(b, "status", false), r.Status)
	b = jsonOptString(jsonKey(b, "status_notes", false), r.StatusNotes)
	b = jsonString(jsonKey(b, "service_name", false), r.ServiceName)
	b = jsonString(jsonKey(b, "service_code", false), r.ServiceCode)
	b = jsonOptString(jsonKey(b, "description", false), r.Description)
	b = jsonOptString(jsonKey(b, "agency_responsible", false), r.AgencyResponsible)
	b = jsonOptString(jsonKey(b, "service_notice", false), r.ServiceNotice)
	b = jsonOptTime(jsonKey(b, "requested_datetime", false), r.RequestedDatetime)
	b = jsonOptTime(jsonKey(b, "updated_datetime", false), r.UpdatedDatetime)
	b = jsonOptTime(jsonKey(b, "expected_datetime", false), r.ExpectedDatetime)
	b = jsonOptString(jsonKey(b, "address", false), r.Address)
	b = jsonOptString(jsonKey(b, "address_id", false), r.AddressID)
	b = jsonOptString(jsonKey(b, "zipcode", false), r.Zipcode)
	b = jsonOptFloat(jsonKey(b, "lat", false), r.Lat)
	b = jsonOptFloat(jsonKey(b, "long", false), r.Long)
	b = jsonOptString(jsonKey(b, "media_url", false), r.MediaURL)
	if r.Extended != nil {
		b = r.Extended.appendJSON(jsonKey(b, "extended_attributes", false))
	}
	if r.Notes != nil {
		b = r.Notes.appendJSON(jsonKey(b, "notes", false))
	}
	return append(b, '}')
}

func (r Request) appendXML(b []byte) []byte {
	if !memoized(&r) {
		return r.writeXML(b)
	}
	if w := xmlMemo.lookup(&r); w != nil {
		return append(b, w...)
	}
	start := len(b)
	b = r.writeXML(b)
	xmlMemo.remember(&r, b[start:])
	return b
}

func (r *Request) writeXML(b []byte) []byte {
	b = xmlOpen(b, "request")
	b = xmlElem(b, "service_request_id", r.ServiceRequestID)
	b = xmlElem(b, "status", r.Status)
	b = xmlElem(b, "status_notes", string(r.StatusNotes))
	b = xmlElem(b, "service_name", r.ServiceName)
	b = xmlElem(b, "service_code", r.ServiceCode)
	b = xmlElem(b, "description", string(r.Description))
	b = xmlElem(b, "agency_responsible", string(r.AgencyResponsible))
	b = xmlElem(b, "service_notice", string(r.ServiceNotice))
	b = xmlOptTime(b, "requested_datetime", r.RequestedDatetime)
	b = xmlOptTime(b, "updated_datetime", r.UpdatedDatetime)
	b = xmlOptTime(b, "expected_datetime", r.ExpectedDatetime)
	b = xmlElem(b, "address", string(r.Address))
	b = xmlElem(b, "address_id", string(r.AddressID))
	b = xmlElem(b, "zipcode", string(r.Zipcode))
	b = xmlOptFloat(b, "lat", r.Lat)
	b = xmlOptFloat(b, "long", r.Long)
	b = xmlElem(b, "media_url", string(r.MediaURL))
	if r.Extended != nil {
		b = r.Extended.appendXML(b)
	}
	if r.Notes != nil {
		b = r.Notes.appendXML(b)
	}
	return xmlClose(b, "request")
}

func (e *Extended) appendJSON(b []byte) []byte {
	b = jsonKey(append(b, '{'), "detailed_status", true)
	b = jsonString(b, e.DetailedStatus)
	b = jsonOptString(jsonKey(b, "duplicate", false), e.Duplicate)
	b = jsonOptString(jsonKey(b, "parent_service_request_id", false), e.ParentServiceRequestID)
	b = jsonKey(b, "linked_requests", false)
	if e.LinkedRequests == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, l := range e.LinkedRequests {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonString(jsonKey(append(b, '{'), "service_request_id", true), l.ServiceRequestID)
			b = jsonString(jsonKey(b, "relation", false), l.Relation)
			b = jsonString(jsonKey(b, "status", false), l.Status)
			b = jsonString(jsonKey(b, "detailed_status", false), l.DetailedStatus)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = jsonOptString(jsonKey(b, "feed_url", false), e.FeedURL)
	b = e.Attributes.appendJSON(jsonKey(b, "attributes", false))
	if e.Media != nil {
		b = appendMediaJSON(jsonKey(b, "media", false), e.Media.Photos)
	}
	return append(b, '}')
}

func (e *Extended) appendXML(b []byte) []byte {
	b = xmlOpen(b, "extended_attributes")
	b = xmlElem(b, "detailed_status", e.DetailedStatus)
	b = xmlElem(b, "duplicate", string(e.Duplicate))
	b = xmlElem(b, "parent_service_request_id", string(e.ParentServiceRequestID))
	b = xmlOpen(b, "linked_requests")
	for _, l := range e.LinkedRequests {
		b = xmlOpen(b, "linked_request")
		b = xmlElem(b, "service_request_id", l.ServiceRequestID)
		b = xmlElem(b, "relation", l.Relation)
		b = xmlElem(b, "status", l.Status)
		b = xmlElem(b, "detailed_status", l.DetailedStatus)
		b = xmlClose(b, "linked_request")
	}
	b = xmlClose(b, "linked_requests")
	b = xmlElem(b, "feed_url", string(e.FeedURL))
	b = e.Attributes.appendXML(b)
	if e.Media != nil {
		b = appendMediaXML(b, e.Media.Photos)
	}
	return xmlClose(b, "extended_attributes")
}

func (a AttributeValues) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, code := range a.codes() {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonStrings(append(jsonString(b, code), ':'), a[code])
	}
	return append(b, '}')
}

func (a AttributeValues) appendXML(b []byte) []byte {
	b = xmlOpen(b, "attributes")
	for _, code := range a.codes() {
		b = xmlOpen(b, "attribute")
		b = xmlElem(b, "code", code)
		for _, v := range a[code] {
			b = xmlElem(b, "value", v)
		}
		b = xmlClose(b, "attribute")
	}
	return xmlClose(b, "attributes")
}

func (n *Notes) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, note := range n.Notes {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonOptTime(jsonKey(append(b, '{'), "datetime", true), note.Datetime)
		b = jsonString(jsonKey(b, "type", false), note.Type)
		b = jsonString(jsonKey(b, "summary", false), note.Summary)
		b = jsonOptString(jsonKey(b, "description", false), note.Description)
		b = jsonString(jsonKey(b, "author", false), note.Author)
		b = jsonString(jsonKey(b, "status", false), note.Status)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (n *Notes) appendXML(b []byte) []byte {
	b = xmlOpen(b, "notes")
	for _, note := range n.Notes {
		b = xmlOpen(b, "note")
		b = xmlOptTime(b, "datetime", note.Datetime)
		b = xmlElem(b, "type", note.Type)
		b = xmlElem(b, "summary", note.Summary)
		b = xmlElem(b, "description", string(note.Description))
		b = xmlElem(b, "author", note.Author)
		b = xmlElem(b, "status", note.Status)
		b = xmlClose(b, "note")
	}
	return xmlClose(b, "notes")
}

func (c Created) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	if c.ServiceRequestID != "" {
		b = jsonString(jsonKey(b, "service_request_id", first), c.ServiceRequestID)
		first = false
	}
	if c.Token != "" {
		b = jsonString(jsonKey(b, "token", first), c.Token)
		first = false
	}
	b = jsonOptString(jsonKey(b, "service_notice", first), c.ServiceNotice)
	if c.MediaURL != "" {
		b = jsonString(jsonKey(b, "media_url", false), string(c.MediaURL))
	}
	if c.Extended != nil {
		b = appendMediaJSON(jsonKey(append(jsonKey(b, "extended_attributes", false), '{'), "media", true), c.Extended.Media)
		b = append(b, '}')
	}
	return append(b, '}')
}

func (c Created) appendXML(b []byte) []byte {
	b = xmlOpen(b, "request")
	if c.ServiceRequestID != "" {
		b = xmlElem(b, "service_request_id", c.ServiceRequestID)
	}
	if c.Token != "" {
		b = xmlElem(b, "token", c.Token)
	}
	b = xmlElem(b, "service_notice", string(c.ServiceNotice))
	if c.MediaURL != "" {
		b = xmlElem(b, "media_url", string(c.MediaURL))
	}
	if c.Extended != nil {
		b = appendMediaXML(xmlOpen(b, "extended_attributes"), c.Extended.Media)
		b = xmlClose(b, "extended_attributes")
	}
	return xmlClose(b, "request")
}

func (t TokenAnswer) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	if t.ServiceRequestID != "" {
		b = jsonString(jsonKey(b, "service_request_id", first), t.ServiceRequestID)
		first = false
	}
	b = jsonString(jsonKey(b, "token", first), t.Token)
	return append(b, '}')
}

func (t TokenAnswer) appendXML(b []byte) []byte {
	b = xmlOpen(b, "request")
	if t.ServiceRequestID != "" {
		b = xmlElem(b, "service_request_id", t.ServiceRequestID)
	}
	b = xmlElem(b, "token", t.Token)
	return xmlClose(b, "request")
}
