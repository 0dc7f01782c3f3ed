// Command export-open-data is the scheduled Lambda function that publishes every
// jurisdiction's public requests in bulk, as CSV and GeoJSON, each night (see package exporter).
//
// Configuration comes from the environment; see packages lambdaenv and exporter.
package main

import "github.com/civicworks/open311/pkg/opendata/exporter"

func main() { exporter.Main() }
