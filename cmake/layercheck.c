/*
 * layercheck.c - the program sinew_layercheck_<layer> links a layer's objects
 * into, together with the layers below it and nothing else
 * (cmake/SinewLayers.cmake): a call that goes up a layer is then an undefined
 * reference. It runs nothing.
 */
int main(void) { return 0; }
