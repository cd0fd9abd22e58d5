/* layout.h: conversions between PyTorch's sample-major NCHW layout (the
 * dataset and export format, and "flatten" order) and the channel-major
 * CBHW layout used inside the network. */
#ifndef DS_LAYOUT_H
#define DS_LAYOUT_H

void layout_nchw_to_cbhw(int B, int C, int HW, const float *in, float *out);
void layout_cbhw_to_nchw(int B, int C, int HW, const float *in, float *out);

#endif
