package georeport

import "strconv"

// The appenders of the catalog's documents: the service list and a service definition.

func (s Services) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, sv := range s.Services {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonString(jsonKey(append(b, '{'), "service_code", true), sv.ServiceCode)
		b = jsonString(jsonKey(b, "service_name", false), sv.ServiceName)
		b = jsonString(jsonKey(b, "description", false), sv.Description)
		b = strconv.AppendBool(jsonKey(b, "metadata", false), sv.Metadata)
		b = jsonString(jsonKey(b, "type", false), sv.Type)
		b = jsonString(jsonKey(b, "keywords", false), sv.Keywords)
		b = jsonString(jsonKey(b, "group", false), sv.Group)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (s Services) appendXML(b []byte) []byte {
	b = xmlOpen(b, "services")
	for _, sv := range s.Services {
		b = xmlOpen(b, "service")
		b = xmlElem(b, "service_code", sv.ServiceCode)
		b = xmlElem(b, "service_name", sv.ServiceName)
		b = xmlElem(b, "description", sv.Description)
		b = xmlBool(b, "metadata", sv.Metadata)
		b = xmlElem(b, "type", sv.Type)
		b = xmlElem(b, "keywords", sv.Keywords)
		b = xmlElem(b, "group", sv.Group)
		b = xmlClose(b, "service")
	}
	return xmlClose(b, "services")
}

func (d ServiceDefinition) appendJSON(b []byte) []byte {
	b = jsonString(jsonKey(append(b, '{'), "service_code", true), d.ServiceCode)
	b = jsonKey(b, "attributes", false)
	if d.Attributes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, a := range d.Attributes {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendBool(jsonKey(append(b, '{'), "variable", true), a.Variable)
			b = jsonString(jsonKey(b, "code", false), a.Code)
			b = jsonString(jsonKey(b, "datatype", false), a.Datatype)
			b = strconv.AppendBool(jsonKey(b, "required", false), a.Required)
			b = jsonString(jsonKey(b, "datatype_description", false), a.DatatypeDescription)
			b = strconv.AppendInt(jsonKey(b, "order", false), int64(a.Order), 10)
			b = jsonString(jsonKey(b, "description", false), a.Description)
			if len(a.Values) > 0 {
				b = append(jsonKey(b, "values", false), '[')
				for j, v := range a.Values {
					if j > 0 {
						b = append(b, ',')
					}
					b = jsonString(jsonKey(append(b, '{'), "key", true), v.Key)
					b = jsonString(jsonKey(b, "name", false), v.Name)
					b = append(b, '}')
				}
				b = append(b, ']')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func (d ServiceDefinition) appendXML(b []byte) []byte {
	b = xmlOpen(b, "service_definition")
	b = xmlElem(b, "service_code", d.ServiceCode)
	b = xmlOpen(b, "attributes")
	for _, a := range d.Attributes {
		b = xmlOpen(b, "attribute")
		b = xmlBool(b, "variable", a.Variable)
		b = xmlElem(b, "code", a.Code)
		b = xmlElem(b, "datatype", a.Datatype)
		b = xmlBool(b, "required", a.Required)
		b = xmlElem(b, "datatype_description", a.DatatypeDescription)
		b = xmlElem(b, "order", strconv.Itoa(a.Order))
		b = xmlElem(b, "description", a.Description)
		if a.XMLValues != nil {
			b = xmlOpen(b, "values")
			for _, v := range a.XMLValues.Values {
				b = xmlOpen(b, "value")
				b = xmlElem(b, "key", v.Key)
				b = xmlElem(b, "name", v.Name)
				b = xmlClose(b, "value")
			}
			b = xmlClose(b, "values")
		}
		b = xmlClose(b, "attribute")
	}
	b = xmlClose(b, "attributes")
	return xmlClose(b, "service_definition")
}
