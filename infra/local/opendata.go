package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/opendata"
	"github.com/civicworks/open311/pkg/store"
)

// exportOpenData writes every jurisdiction's bulk export (package opendata) into the feed
// folder, each file replaced whole (written aside, then renamed), and logs what it wrote.
func exportOpenData(ctx context.Context, st store.Store, feeds string, logger *slog.Logger) {
	js, err := st.Jurisdictions(ctx)
	if err != nil {
		logger.Error("open data export failed", "err", err)
		return
	}
	for _, j := range js {
		n, err := writeExport(ctx, st, j.ID, feeds)
		if err != nil {
			logger.Error("open data export failed", "jurisdiction", j.ID, "err", err)
			continue
		}
		logger.Info("open data exported", "jurisdiction", j.ID, "requests", n)
	}
}

// writeExport writes one jurisdiction's CSV and GeoJSON files.
func writeExport(ctx context.Context, st store.Store, jurisdictionID, feeds string) (int, error) {
	j, err := st.Jurisdiction(ctx, jurisdictionID)
	if err != nil {
		return 0, err
	}
	csvName, err := exportFile(feeds, opendata.CSVPath(j.ID))
	if err != nil {
		return 0, err
	}
	geoName, err := exportFile(feeds, opendata.GeoJSONPath(j.ID))
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(csvName), 0o750); err != nil {
		return 0, fmt.Errorf("make the open data folder: %w", err)
	}
	csvTmp, err := os.CreateTemp(filepath.Dir(csvName), ".export-*.tmp")
	if err != nil {
		return 0, err
	}
	defer os.Remove(csvTmp.Name())
	defer csvTmp.Close()
	geoTmp, err := os.CreateTemp(filepath.Dir(geoName), ".export-*.tmp")
	if err != nil {
		return 0, err
	}
	defer os.Remove(geoTmp.Name())
	defer geoTmp.Close()
	n, err := opendata.Export(ctx, st, j, csvTmp, geoTmp)
	if err != nil {
		return n, err
	}
	for _, f := range []struct {
		tmp  *os.File
		name string
	}{{csvTmp, csvName}, {geoTmp, geoName}} {
		if err := f.tmp.Close(); err != nil {
			return n, fmt.Errorf("write %s: %w", f.name, err)
		}
		if err := os.Rename(f.tmp.Name(), f.name); err != nil {
			return n, fmt.Errorf("replace %s: %w", f.name, err)
		}
	}
	return n, nil
}

// exportFile is where the file of an export path lives in the feed folder.
func exportFile(feeds, path string) (string, error) {
	key, err := feed.ObjectKey(path)
	if err != nil {
		return "", err
	}
	return filepath.Join(feeds, filepath.FromSlash(key)), nil
}
