#include "ingest/app.hpp"

int main(int argc, char** argv) {
  return pqrflow::ingest::run_app(argc, argv);
}
