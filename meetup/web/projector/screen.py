"""The live projector screen (16:9): counts, tables, timer, question, plenary."""
