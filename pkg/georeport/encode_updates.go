package georeport

import "strconv"

// The appenders of request updates, an update's id and the error document.

func (u RequestUpdates) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, x := range u.Updates {
		if i > 0 {
			b = append(b, ',')
		}
		b = x.(appender).appendJSON(b)
	}
	return append(b, ']')
}

func (u RequestUpdates) appendXML(b []byte) []byte {
	b = xmlOpen(b, "service_request_updates")
	for _, x := range u.Updates {
		b = x.(appender).appendXML(b)
	}
	return xmlClose(b, "service_request_updates")
}

// fast reports whether every update of the list has an appender.
func (u RequestUpdates) fast() bool {
	for _, x := range u.Updates {
		if _, ok := x.(appender); !ok {
			return false
		}
	}
	return true
}

func (u RequestUpdate) appendJSON(b []byte) []byte {
	b = jsonString(jsonKey(append(b, '{'), "update_id", true), u.UpdateID)
	b = jsonString(jsonKey(b, "service_request_id", false), u.ServiceRequestID)
	b = jsonString(jsonKey(b, "status", false), u.Status)
	b = jsonOptTime(jsonKey(b, "updated_datetime", false), u.UpdatedDatetime)
	b = jsonOptString(jsonKey(b, "description", false), u.Description)
	b = jsonOptString(jsonKey(b, "media_url", false), u.MediaURL)
	return append(b, '}')
}

func (u RequestUpdate) appendXML(b []byte) []byte {
	b = xmlOpen(b, "request_update")
	b = xmlElem(b, "update_id", u.UpdateID)
	b = xmlElem(b, "service_request_id", u.ServiceRequestID)
	b = xmlElem(b, "status", u.Status)
	b = xmlOptTime(b, "updated_datetime", u.UpdatedDatetime)
	b = xmlElem(b, "description", string(u.Description))
	b = xmlElem(b, "media_url", string(u.MediaURL))
	return xmlClose(b, "request_update")
}

func (u UpdateID) appendJSON(b []byte) []byte {
	b = jsonString(jsonKey(append(b, '{'), "update_id", true), u.UpdateID)
	return append(b, '}')
}

func (u UpdateID) appendXML(b []byte) []byte {
	b = xmlOpen(b, "request_update")
	b = xmlElem(b, "update_id", u.UpdateID)
	return xmlClose(b, "request_update")
}

func (e Errors) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, x := range e.Errors {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(jsonKey(append(b, '{'), "code", true), int64(x.Code), 10)
		b = jsonString(jsonKey(b, "description", false), x.Description)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (e Errors) appendXML(b []byte) []byte {
	b = xmlOpen(b, "errors")
	for _, x := range e.Errors {
		b = xmlOpen(b, "error")
		b = xmlElem(b, "code", strconv.Itoa(x.Code))
		b = xmlElem(b, "description", x.Description)
		b = xmlClose(b, "error")
	}
	return xmlClose(b, "errors")
}
