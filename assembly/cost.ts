// placeholder: kernels land here (see src/wasm/kernels.ts for the host side)
export const COST_KERNELS_VERSION: i32 = 0;
