"""Samen: the shared platform of the Dutch chain approach against human trafficking."""
