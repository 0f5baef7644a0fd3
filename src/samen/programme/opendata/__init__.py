"""The Tweede Kamer's open data (Gegevensmagazijn, OData v4): motions and commitments."""
