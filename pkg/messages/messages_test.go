package messages_test

import (
	"slices"
	"testing"

	"github.com/civicworks/open311/pkg/messages"
)

// TestTranslate: messages the system writes, in Spanish and Arabic (texts in their verbs' places
// kept as written, reordered by index), English kept where a language has no translation, and
// the shorter forms of a tag.
func TestTranslate(t *testing.T) {
	if err := messages.Err(); err != nil {
		t.Fatal(err)
	}
	if got := messages.Languages(); !slices.Equal(got, []string{"ar", "es"}) {
		t.Errorf("languages %v", got)
	}
	for _, c := range []struct{ tag, msg, want string }{
		{"es", `there is no request with the id "100007"`, `no existe ninguna solicitud con el id "100007"`},
		{"es-MX", `there is no service with the code "no such:service"`, `no existe ningún servicio con el código "no such:service"`},
		{"es", `attribute "size" (Size) is required`, `el atributo "size" (Size) es obligatorio`},
		{"es", `service_code is required`, `service_code es obligatorio`},
		{"es", `a report may carry at most 5 photos`, `un reporte puede llevar como máximo 5 fotos`},
		{"es", `the request body is larger than 4194304 bytes`, `el cuerpo de la solicitud supera los 4194304 bytes`},
		{"ar", `attribute "size" (Size) is required`, `السمة Size ("size") مطلوبة`},
		{"ar", `start_date and end_date may be at most 90 days apart`, `start_date and end_date may be at most 90 days apart`},
		{"fr", `there is no request with the id "1"`, `there is no request with the id "1"`},
		{"es", `something the files do not know`, `something the files do not know`},
		{"", `the api_key is not valid here`, `the api_key is not valid here`},
	} {
		if got := messages.Translate(c.tag, c.msg); got != c.want {
			t.Errorf("Translate(%q, %q) = %q, want %q", c.tag, c.msg, got, c.want)
		}
	}
}

// TestTranslateText: summaries of several sentences, each translated; one the files do not
// know keeps the whole summary in English.
func TestTranslateText(t *testing.T) {
	for _, c := range []struct{ tag, text, want string }{
		{"es", "Status: open → assigned. Assigned to Parks Department. Expected by 2026-11-05T17:00:00-05:00.",
			"Estado: open → assigned. Asignado a Parks Department. Previsto para 2026-11-05T17:00:00-05:00."},
		{"es", "Status: open → closed. Status notes updated. Linked: duplicate_of 100003.",
			"Estado: open → closed. Notas de estado actualizadas. Vinculado: duplicate_of 100003."},
		{"es", "Reported to Pothole.", "Reportado como Pothole."},
		{"es", "Assigned to St. Mary Works.", "Assigned to St. Mary Works."},
		{"es", "Assigned to St.Mary Works.", "Asignado a St.Mary Works."},
		{"es", "Status: open → closed. Something new.", "Status: open → closed. Something new."},
		{"ar", "Comment.", "تعليق."},
		{"fr", "Comment.", "Comment."},
	} {
		if got := messages.TranslateText(c.tag, c.text); got != c.want {
			t.Errorf("TranslateText(%q, %q) = %q, want %q", c.tag, c.text, got, c.want)
		}
	}
}
