package main

import (
	"context"
	"log/slog"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/folder"
	"github.com/civicworks/open311/pkg/store"
)

// publishFeedLists writes every jurisdiction's feed list (feed.BuildOPML) into the feed folder,
// as <jurisdiction>/feeds.opml; an unchanged list is not written again. It runs when the server
// starts, after seeding, and with the daily tasks: the catalog changes only through a restart
// (seeding) or the operator's tooling, and a day's delay for the latter is acceptable.
func publishFeedLists(ctx context.Context, st store.Catalog, feeds string, opt feed.Options, logger *slog.Logger) {
	all, err := st.Jurisdictions(ctx)
	if err != nil {
		logger.Error("feed lists failed", "err", err)
		return
	}
	for _, j := range all {
		services, err := st.Services(ctx, j.ID)
		if err == nil {
			var body []byte
			if body, err = feed.BuildOPML(j, services, opt); err == nil {
				_, err = folder.Publisher(feeds).Publish(ctx, feed.OPMLPath(j.ID), body)
			}
		}
		if err != nil {
			logger.Error("feed list failed", "jurisdiction", j.ID, "err", err)
		}
	}
}
