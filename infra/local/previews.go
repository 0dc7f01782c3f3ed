package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/civicworks/open311/pkg/media"
	"github.com/civicworks/open311/pkg/media/preview"
)

// previewing is the local server's photos store: the folder store, and the previews of the
// public photos it stores made in the background, one at a time, by the code the preview
// function runs on AWS (package preview). A report is answered without waiting for them; its
// preview_url answers moments later.
type previewing struct {
	media.Store
	previews media.Previews
	logger   *slog.Logger
	jobs     chan string
	done     sync.WaitGroup
}

// newPreviewing starts the background maker; stop waits for the previews asked for.
func newPreviewing(st media.Store, previews media.Previews, logger *slog.Logger) (p *previewing, stop func()) {
	p = &previewing{Store: st, previews: previews, logger: logger, jobs: make(chan string, 64)}
	p.done.Go(func() {
		for name := range p.jobs {
			if _, err := preview.Make(context.Background(), p.previews, name); err != nil {
				p.logger.Error("preview not made", "photo", name, "err", err.Error())
			}
		}
	})
	return p, func() { close(p.jobs); p.done.Wait() }
}

// Put stores the photo, then asks for its preview when it is public (again for a photo that
// was there: making it is the same bytes, and a preview that failed before is made).
func (p *previewing) Put(ctx context.Context, o media.Object) (bool, error) {
	created, err := p.Store.Put(ctx, o)
	if err != nil || o.Private {
		return created, err
	}
	select {
	case p.jobs <- o.Name:
	default:
		p.logger.Warn("preview not made: too many photos waiting", "photo", o.Name)
	}
	return created, nil
}
