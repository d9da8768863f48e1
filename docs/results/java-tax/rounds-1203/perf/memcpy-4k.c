#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(int argc,char**argv){ size_t n=atoi(argv[1]); char*a=aligned_alloc(64,1<<20),*b=aligned_alloc(64,1<<20); memset(a,1,1<<20); memset(b,2,1<<20);
 size_t off=argc>2?atoi(argv[2]):0;
 for(int k=0;k<3;k++){ double t0=now(); for(int i=0;i<1000000;i++){ memcpy(b+off,a+4+(i&1),n); __asm__ volatile(""::"r"(b):"memory"); } double t1=now(); printf("%zu bytes: %.1f ns\n",n,(t1-t0)/1e6);} }
