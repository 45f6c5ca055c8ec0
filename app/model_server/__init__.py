"""California-housing model server: the lab's /predict plus KServe V1 and V2 protocols."""
